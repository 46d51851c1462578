import { describe, expect, it } from "vitest";
import { checkExportRequest, MAX_RELAYED_SPANS } from "./otlp-export-request.ts";
import type { Problem } from "../http/problem.ts";
import { relayTarget } from "./trace-relay.ts";

describe("where the page's spans are relayed", () => {
  it("takes GAVEL_WEB_OTLP_TRACES_URL over everything", () => {
    expect(
      relayTarget({
        GAVEL_WEB_OTLP_TRACES_URL: "http://collector:4318/v1/traces",
        OTEL_EXPORTER_OTLP_ENDPOINT: "http://jaeger:4317",
        OTEL_EXPORTER_OTLP_PROTOCOL: "grpc",
      }),
    ).toBe("http://collector:4318/v1/traces");
  });

  it("follows the edge's own OTLP/HTTP exporter settings", () => {
    expect(relayTarget({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://jaeger:4318" })).toBe(
      "http://jaeger:4318/v1/traces",
    );
    expect(relayTarget({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://otel:4318/base/" })).toBe(
      "http://otel:4318/base/v1/traces",
    );
    expect(
      relayTarget({
        OTEL_EXPORTER_OTLP_ENDPOINT: "http://jaeger:4318",
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://traces:4318/custom",
        OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
      }),
    ).toBe("http://traces:4318/custom");
    expect(
      relayTarget({
        OTEL_EXPORTER_OTLP_ENDPOINT: "http://jaeger:4318",
        OTEL_EXPORTER_OTLP_PROTOCOL: "grpc",
        OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: "http/protobuf",
      }),
    ).toBe("http://jaeger:4318/v1/traces");
  });

  it("is off without an endpoint, over gRPC, or when traces are not exported", () => {
    expect(relayTarget({})).toBeUndefined();
    expect(relayTarget({ OTEL_EXPORTER_OTLP_ENDPOINT: "" })).toBeUndefined();
    const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: "http://jaeger:4317" };
    expect(relayTarget({ ...endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: "grpc" })).toBeUndefined();
    expect(
      relayTarget({ ...endpoint, OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: "grpc" }),
    ).toBeUndefined();
    expect(relayTarget({ ...endpoint, OTEL_TRACES_EXPORTER: "none" })).toBeUndefined();
    expect(relayTarget({ ...endpoint, OTEL_TRACES_EXPORTER: "console" })).toBeUndefined();
    expect(relayTarget({ ...endpoint, OTEL_TRACES_EXPORTER: "console, otlp" })).toBe(
      "http://jaeger:4317/v1/traces",
    );
  });
});

const TRACE = "0af7651916cd43dd8448eb211c80319c";
const webSpan = (i = 0) => ({
  traceId: TRACE,
  spanId: (0x1000000000000000 + i).toString(16).padStart(16, "0").slice(0, 16),
  name: "click bid",
  kind: 1,
  startTimeUnixNano: "1700000000000000000",
  endTimeUnixNano: "1700000000100000000",
});
const resource = (service: string | undefined) => ({
  attributes:
    service === undefined ? [] : [{ key: "service.name", value: { stringValue: service } }],
});
const request = (service: string | undefined, spans: unknown[] = [webSpan()]) => ({
  resourceSpans: [
    { resource: resource(service), scopeSpans: [{ scope: { name: "gavel.web" }, spans }] },
  ],
});

function problemOf(body: unknown): Problem {
  try {
    checkExportRequest(body);
  } catch (err) {
    return err as Problem;
  }
  throw new Error("accepted");
}

describe("what the relay takes", () => {
  it("counts the spans of the page's own export requests", () => {
    expect(checkExportRequest(request("web", [webSpan(1), webSpan(2)]))).toBe(2);
    expect(checkExportRequest({ resourceSpans: [] })).toBe(0);
    expect(checkExportRequest({ resourceSpans: [{ resource: resource("web") }] })).toBe(0);
  });

  it("refuses spans in any other service's name, or none", () => {
    for (const service of ["bidding", "edge", "", undefined]) {
      const problem = problemOf(request(service));
      expect(problem, String(service)).toMatchObject({ status: 400, type: "foreign-spans" });
      expect(problem.message).toContain('the relay takes "web" only');
    }
    const smuggled = request("web");
    smuggled.resourceSpans[0]!.resource.attributes.push({
      key: "service.name",
      value: { stringValue: "bidding" },
    });
    expect(problemOf(smuggled).message).toContain('"bidding"');
  });

  it("refuses more spans than a page sends at once", () => {
    const spans = Array.from({ length: MAX_RELAYED_SPANS + 1 }, (_, i) => webSpan(i));
    expect(problemOf(request("web", spans))).toMatchObject({ status: 413, type: "too-many-spans" });
    expect(checkExportRequest(request("web", spans.slice(1)))).toBe(MAX_RELAYED_SPANS);
  });

  it.each([
    [null, "no resourceSpans array"],
    [[], "no resourceSpans array"],
    [{ resourceSpans: {} }, "no resourceSpans array"],
    [{ resourceSpans: [7] }, "resourceSpans[0] is not an object"],
    [
      { resourceSpans: [{ resource: resource("web"), scopeSpans: {} }] },
      "scopeSpans is not an array",
    ],
    [
      request("web", [{ ...webSpan(), traceId: "xyz" }]),
      "spans[0].traceId is not 32 hexadecimal digits",
    ],
    [
      request("web", [{ ...webSpan(), spanId: 12 }]),
      "spans[0].spanId is not 16 hexadecimal digits",
    ],
    [
      request("web", [{ ...webSpan(), parentSpanId: "abc" }]),
      "parentSpanId is not 16 hexadecimal digits",
    ],
    [request("web", [{ ...webSpan(), name: undefined }]), "spans[0].name is not a string"],
  ])("says what is wrong with %j", (body, reason) => {
    const problem = problemOf(body);
    expect(problem).toMatchObject({ status: 400, type: "invalid-spans" });
    expect(problem.message).toContain(reason);
  });
});
