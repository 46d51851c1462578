import { Writable } from "node:stream";
import { context, trace, TraceFlags } from "@opentelemetry/api";
import { describe, expect, it } from "vitest";
import { createLogger } from "./logger.ts";

function capture() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { lines, destination };
}

describe("createLogger", () => {
  it("writes JSON with the service, a text level and redacted secrets", () => {
    const { lines, destination } = capture();
    const logger = createLogger({ service: "test", destination });
    logger.info({ password: "hunter2", user: "u1" }, "signed in");
    expect(lines[0]).toMatchObject({
      service: "test",
      level: "info",
      msg: "signed in",
      password: "[redacted]",
    });
    expect(lines[0]).not.toHaveProperty("trace_id");
  });

  it("adds the active span's trace and span ids", () => {
    const { lines, destination } = capture();
    const logger = createLogger({ service: "test", destination });
    const span = trace.wrapSpanContext({
      traceId: "0af7651916cd43dd8448eb211c80319c",
      spanId: "b7ad6b7169203331",
      traceFlags: TraceFlags.SAMPLED,
    });
    // Without a registered context manager `with` does not propagate, so read the
    // span through the API the mixin uses.
    const ctx = trace.setSpan(context.active(), span);
    const original = trace.getActiveSpan;
    trace.getActiveSpan = () => trace.getSpan(ctx);
    try {
      logger.info("inside");
    } finally {
      trace.getActiveSpan = original;
    }
    expect(lines[0]).toMatchObject({
      trace_id: "0af7651916cd43dd8448eb211c80319c",
      span_id: "b7ad6b7169203331",
    });
  });
});
