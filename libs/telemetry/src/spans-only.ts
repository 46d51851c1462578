import { context, propagation, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import {
  CompositePropagator,
  W3CBaggagePropagator,
  W3CTraceContextPropagator,
} from "@opentelemetry/core";
import type { Resource } from "@opentelemetry/resources";
import { NoopSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import type { Telemetry } from "./start-telemetry.ts";

/**
 * What the Node SDK registers when nothing is exported and no OTEL_* variable is set, without
 * loading it: spans with real ids (parent-based, always on) that go nowhere, W3C trace context
 * and baggage, and the active span kept across awaits. So every log line still carries its
 * trace_id, in a process some 18 MiB lighter: docs/benchmarks.md#local-stack-memory-and-start-time
 */
export function startSpansOnly(resource: Resource): Telemetry {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(
    new CompositePropagator({
      propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()],
    }),
  );
  const provider = new TracerProvider({ resource, spanProcessors: [new NoopSpanProcessor()] });
  trace.setGlobalTracerProvider(provider);
  return { exporting: false, shutdown: () => provider.shutdown() };
}
