import { setTimeout as sleep } from "node:timers/promises";
import { context, propagation, trace } from "@opentelemetry/api";
import { afterEach, expect, it, vi } from "vitest";
import { startTelemetry } from "./start-telemetry.ts";

// Each test registers the globals afresh, as a process does once.
afterEach(() => {
  vi.unstubAllEnvs();
  trace.disable();
  context.disable();
  propagation.disable();
});

it("makes real trace ids without an endpoint, and exports nothing", async () => {
  const telemetry = await startTelemetry({ service: "test", env: {} });
  expect(telemetry.exporting).toBe(false);
  const span = trace.getTracer("test").startSpan("work");
  expect(span.isRecording()).toBe(true);
  expect(span.spanContext().traceId).toMatch(/^(?!0{32})[0-9a-f]{32}$/);
  span.end();
  await telemetry.shutdown();
});

it("without the SDK, still carries W3C context across hops and the active span across awaits", async () => {
  const telemetry = await startTelemetry({ service: "test", env: { OTEL_SERVICE_NAME: "x" } });
  expect(propagation.fields()).toEqual(["traceparent", "tracestate", "baggage"]);
  const span = trace.getTracer("test").startSpan("work");
  const seen = await context.with(trace.setSpan(context.active(), span), async () => {
    await sleep(1);
    return trace.getActiveSpan();
  });
  expect(seen).toBe(span);
  const carrier: Record<string, string> = {};
  propagation.inject(trace.setSpan(context.active(), span), carrier);
  expect(carrier.traceparent).toBe(
    `00-${span.spanContext().traceId}-${span.spanContext().spanId}-01`,
  );
  span.end();
  await telemetry.shutdown();
});

it("loads the SDK when an OTEL_* setting asks for something, and follows it", async () => {
  vi.stubEnv("OTEL_PROPAGATORS", "b3");
  const telemetry = await startTelemetry({ service: "test" });
  expect(telemetry.exporting).toBe(false);
  expect(propagation.fields()).toContain("b3");
  expect(propagation.fields()).not.toContain("traceparent");
  await telemetry.shutdown();
});
