import { ROOT_CONTEXT, SpanKind, SpanStatusCode } from "@opentelemetry/api";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BatchSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import type { PageTracing } from "./page-tracing.ts";

/** The page's tracing with OpenTelemetry's SDK, exporting to the edge's relay. */
export function sdkTracing(exportUrl: string): PageTracing {
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ "service.name": "web" }),
    // Sent within half a second, and when the page is hidden or closed (the SDK's default).
    spanProcessors: [
      new BatchSpanProcessor({
        exporter: new OTLPTraceExporter({ url: exportUrl }),
        scheduledDelayMillis: 500,
      }),
    ],
  });
  const tracer = provider.getTracer("gavel.web");
  return {
    start(name, attributes) {
      // Every action is its own trace: the page keeps no ambient context between clicks.
      const span = tracer.startSpan(name, { kind: SpanKind.CLIENT, attributes }, ROOT_CONTEXT);
      const { traceId, spanId, traceFlags } = span.spanContext();
      const flags = traceFlags.toString(16).padStart(2, "0");
      return {
        traceparent: `00-${traceId}-${spanId}-${flags}`,
        traceId,
        end(outcome = {}) {
          if (outcome.attributes) span.setAttributes(outcome.attributes);
          if (outcome.error) span.setStatus({ code: SpanStatusCode.ERROR, message: outcome.error });
          span.end();
        },
      };
    },
  };
}
