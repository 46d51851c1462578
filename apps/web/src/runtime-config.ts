import { PUSH_PATHS } from "@gavel/config/push-paths";

/**
 * Where the page finds the other fronts, read from the edge's /config.json at start. An
 * empty URL means this page's own origin: behind the chart's Ingress every path shares
 * one host; `npm start` runs them on their own ports and names them here.
 */
export interface RuntimeConfig {
  /** The BFF's /graphql. */
  graphqlUrl: string;
  /** The push gateway's base (http[s]) for /tickets and /sse, and its ws[s] /ws. */
  pushUrl: string;
  websocketUrl: string;
  /** The REST API's base (always this origin: the edge serves the page). */
  restUrl: string;
  /** A Jaeger UI, or undefined. */
  jaegerUrl: string | undefined;
  /** Where the page's spans go (the edge's OTLP/HTTP relay); undefined: no spans. */
  otlpTracesUrl: string | undefined;
  /** Where a trace is read as the waterfall draws it (`<url>/<trace id>`), or undefined. */
  traceViewUrl: string | undefined;
}

interface ServedConfig {
  bffUrl?: string;
  pushUrl?: string;
  jaegerUrl?: string;
  otlpTracesUrl?: string;
  traceViewUrl?: string;
}

export async function loadRuntimeConfig(origin = location.origin): Promise<RuntimeConfig> {
  let served: ServedConfig = {};
  try {
    const res = await fetch("/config.json", { headers: { accept: "application/json" } });
    if (res.ok) served = (await res.json()) as ServedConfig;
  } catch {
    // No config: same-origin defaults, as behind the Ingress.
  }
  return resolveConfig(served, origin);
}

export function resolveConfig(served: ServedConfig, origin: string): RuntimeConfig {
  const base = (url: string | undefined) => (url ? url.replace(/\/+$/, "") : origin);
  const push = base(served.pushUrl);
  // The edge names its own routes by path: they are on this origin.
  const own = (path: string | undefined) => (path ? new URL(path, origin).href : undefined);
  return {
    graphqlUrl: `${base(served.bffUrl)}/graphql`,
    pushUrl: push,
    websocketUrl: `${push.replace(/^http/, "ws")}${PUSH_PATHS.websocket}`,
    restUrl: origin,
    jaegerUrl: served.jaegerUrl ? served.jaegerUrl.replace(/\/+$/, "") : undefined,
    otlpTracesUrl: own(served.otlpTracesUrl),
    traceViewUrl: own(served.traceViewUrl)?.replace(/\/+$/, ""),
  };
}
