/**
 * One trace as the edge's GET /traces/<id> answers it (read from Jaeger's query API):
 * spans in parent order with their service, operation, protocol and times, no attributes.
 */
export interface TraceView {
  traceId: string;
  durationMs: number;
  spans: TraceSpan[];
}

export interface TraceSpan {
  id: string;
  parentId: string | null;
  depth: number;
  service: string;
  name: string;
  protocol: string;
  kind: string;
  /** From the trace's first span. */
  startMs: number;
  durationMs: number;
  error: boolean;
}

export type TraceAnswer =
  { ok: true; trace: TraceView } | { ok: false; status: number; message: string };

export async function fetchTrace(viewUrl: string, traceId: string): Promise<TraceAnswer> {
  let res: Response;
  try {
    res = await fetch(`${viewUrl}/${traceId}`, { headers: { accept: "application/json" } });
  } catch {
    return { ok: false, status: 0, message: "the edge did not answer" };
  }
  if (res.ok) return { ok: true, trace: (await res.json()) as TraceView };
  const problem = (await res.json().catch(() => ({}))) as { detail?: string; title?: string };
  return { ok: false, status: res.status, message: problem.detail ?? problem.title ?? "" };
}

/** Where a span's bar starts and how wide it is, in % of the trace, at least visible. */
export function barOf(span: TraceSpan, total: number): { left: number; width: number } {
  if (total <= 0) return { left: 0, width: 100 };
  const left = Math.min(100, (span.startMs / total) * 100);
  const width = Math.max(0.5, Math.min(100 - left, (span.durationMs / total) * 100));
  return { left, width };
}

/** Milliseconds for people: 0.42 ms, 3.1 ms, 87 ms, 1.2 s. */
export function formatMs(ms: number): string {
  if (ms >= 1000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms >= 10) return `${Math.round(ms)} ms`;
  if (ms >= 1) return `${ms.toFixed(1)} ms`;
  return `${ms.toFixed(2)} ms`;
}
