import { ROOT_CONTEXT, SpanKind, SpanStatusCode, type Attributes } from "@opentelemetry/api";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BatchSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";

/**
 * The page's spans: one per thing a person does that makes the system work (a page's
 * GraphQL query, a bid, following a lot), exported as service `web` over OTLP/HTTP JSON
 * to the edge, which relays them to the collector (the browser never talks to Jaeger).
 * Each span's W3C `traceparent` goes with the work it causes, as a fetch header or a
 * WebSocket message field, so the services' spans join the trace the page started.
 */
export interface PageSpan {
  /** The value to send with the work this span stands for. */
  readonly traceparent: string | undefined;
  readonly traceId: string | undefined;
  /** Ends the span; `error` marks a failure a person would call one. */
  end(outcome?: { error?: string; attributes?: Attributes }): void;
}

export interface PageTracing {
  start(name: string, attributes?: Attributes): PageSpan;
}

const NO_SPAN: PageSpan = { traceparent: undefined, traceId: undefined, end: () => {} };

/** No exporter configured: no spans, and nothing sent with requests. */
export const noTracing: PageTracing = { start: () => NO_SPAN };

/** Starts tracing into `exportUrl` (the edge's relay); none when it is empty. */
export function startPageTracing(exportUrl: string | undefined): PageTracing {
  if (!exportUrl) return noTracing;
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

/** The header that carries a span's context on a fetch, when there is one. */
export const traceHeaders = (span: PageSpan): Record<string, string> =>
  span.traceparent ? { traceparent: span.traceparent } : {};
