import { Router } from "express";
import { Problem } from "../http/problem.ts";
import { waterfallOf, type JaegerTrace } from "./trace-waterfall.ts";

/** Where the page reads a trace: GET /traces/{trace id}. */
export const TRACE_VIEW_PATH = "/traces";
/** A waterfall is a click away; a slow Jaeger must not hold the request longer. */
const QUERY_TIMEOUT_MS = 3_000;
const TRACE_ID = /^[0-9a-f]{32}$/;

export interface TraceViewOptions {
  /** A Jaeger query API base (GAVEL_TRACE_QUERY_URL); undefined answers every GET 404. */
  queryUrl: string | undefined;
}

/**
 * GET /traces/:traceId: one trace from Jaeger's query API, shaped by waterfallOf for the
 * page's "How this got here" panel. Never cached: a trace grows while its spans arrive.
 */
export function traceView(options: TraceViewOptions): Router {
  const router = Router();
  const base = options.queryUrl?.replace(/\/+$/, "");
  router.get("/:traceId", async (req, res) => {
    if (!base)
      throw new Problem(
        404,
        "trace-view-off",
        "Not found",
        "traces cannot be viewed here: the edge has no trace store (set GAVEL_TRACE_QUERY_URL)",
      );
    const traceId = req.params.traceId!.toLowerCase();
    if (!TRACE_ID.test(traceId) || /^0+$/.test(traceId))
      throw new Problem(
        400,
        "invalid-trace-id",
        "Not a trace id",
        "a trace id is 32 hexadecimal digits",
      );
    const trace = await readTrace(base, traceId);
    if (!Array.isArray(trace?.spans) || trace.spans.length === 0)
      throw new Problem(
        404,
        "not-found",
        "Not found",
        `no trace ${traceId} (yet: spans reach the trace store a few seconds after they end)`,
      );
    res.set("cache-control", "no-store").json(waterfallOf(traceId, trace));
  });
  return router;
}

/** The trace, undefined when Jaeger has none; a Problem (503) when Jaeger cannot say. */
async function readTrace(base: string, traceId: string): Promise<JaegerTrace | undefined> {
  try {
    const res = await fetch(`${base}/api/traces/${traceId}`, {
      headers: { accept: "application/json" },
      signal: AbortSignal.timeout(QUERY_TIMEOUT_MS),
    });
    if (res.status === 404) return undefined;
    if (!res.ok) throw new Error(`jaeger answered ${res.status}`);
    const body = (await res.json()) as { data?: JaegerTrace[] | null };
    return body.data?.[0];
  } catch (err) {
    throw new Problem(
      503,
      "trace-store-unavailable",
      "Traces cannot be read now",
      `the trace store did not answer (${(err as Error).message}); retry shortly`,
      { headers: { "retry-after": "2" } },
    );
  }
}
