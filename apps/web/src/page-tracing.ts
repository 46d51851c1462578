import type { Attributes } from "@opentelemetry/api";

/**
 * The page's spans, one per thing a person does (a GraphQL query, a bid, following a lot),
 * exported as service `web` to the edge's relay; each span's `traceparent` goes with the
 * work it causes. Why: docs/architecture.md#telemetry-libstelemetry
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

/** Starts tracing into `exportUrl` (the edge's relay); none, and no SDK loaded, without. */
export async function startPageTracing(exportUrl: string | undefined): Promise<PageTracing> {
  if (!exportUrl) return noTracing;
  const { sdkTracing } = await import("./page-tracing-sdk.ts");
  return sdkTracing(exportUrl);
}

/** The header that carries a span's context on a fetch, when there is one. */
export const traceHeaders = (span: PageSpan): Record<string, string> =>
  span.traceparent ? { traceparent: span.traceparent } : {};
