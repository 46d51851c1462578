import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ConfigError, parseConfig } from "./load-config.ts";
import { port, pem, serviceBase } from "./schemas.ts";

const schema = z.object({ PORT: port(7000), ...serviceBase, KEY: pem("PUBLIC KEY") });

describe("parseConfig", () => {
  it("applies defaults and splits the NATS server list", () => {
    const config = parseConfig(schema, {
      KEY: "-----BEGIN PUBLIC KEY-----\\nabc\\n-----END PUBLIC KEY-----",
      NATS_URL: "nats://a:4222, nats://b:4222",
    });
    expect(config.PORT).toBe(7000);
    expect(config.NATS_URL).toEqual(["nats://a:4222", "nats://b:4222"]);
    expect(config.KEY).toContain("\nabc\n");
  });

  it("names every wrong variable at once and redacts secrets", () => {
    let error: unknown;
    try {
      parseConfig(schema, { PORT: "99999", LOG_LEVEL: "loud", KEY: "secret" });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join("\n");
    expect(problems).toMatch(/^PORT: .*got "99999"/m);
    expect(problems).toMatch(/^LOG_LEVEL: /m);
    expect(problems).toMatch(/^KEY: .*<redacted>/m);
    expect(problems).not.toContain("secret");
  });
});
