import { describe, expect, it } from "vitest";
import { resolveConfig } from "./runtime-config.ts";

describe("the page's runtime config", () => {
  it("puts the edge's trace routes on the page's own origin", () => {
    const config = resolveConfig(
      { otlpTracesUrl: "/otlp/v1/traces", traceViewUrl: "/traces/" },
      "http://127.0.0.1:8080",
    );
    expect(config.otlpTracesUrl).toBe("http://127.0.0.1:8080/otlp/v1/traces");
    expect(config.traceViewUrl).toBe("http://127.0.0.1:8080/traces");
  });

  it("makes no spans and draws no trace when the edge offers neither", () => {
    const config = resolveConfig({ otlpTracesUrl: "", traceViewUrl: "" }, "https://gavel.test");
    expect(config.otlpTracesUrl).toBeUndefined();
    expect(config.traceViewUrl).toBeUndefined();
    expect(config.websocketUrl).toBe("wss://gavel.test/ws");
  });
});
