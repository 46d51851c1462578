import { trace } from "@opentelemetry/api";
import { expect, it } from "vitest";
import { startTelemetry } from "./start-telemetry.ts";

it("makes real trace ids without an endpoint, and exports nothing", async () => {
  const telemetry = startTelemetry({ service: "test", env: {} });
  expect(telemetry.exporting).toBe(false);
  const span = trace.getTracer("test").startSpan("work");
  expect(span.isRecording()).toBe(true);
  expect(span.spanContext().traceId).toMatch(/^(?!0{32})[0-9a-f]{32}$/);
  span.end();
  await telemetry.shutdown();
});
