import { PUSH_PATHS } from "@gavel/config/push-paths";

/** Where the push gateway serves live feeds, as the edge links to them. */
export interface PushPaths {
  /** The WebSocket endpoint: ws(s):// on the gateway's own origin, as the page's is. */
  websocket: string;
  lotStream(lotId: string): string;
}

/**
 * The gateway's paths under its public URL (GAVEL_PUSH_PUBLIC_URL: http or https, maybe
 * with a path), absolute where it has an origin of its own (`npm start`: its own port);
 * "" makes them relative, as the chart's Ingress serves the gateway on the edge's host.
 */
export function pushPaths(publicUrl: string): PushPaths {
  const base = publicUrl.replace(/\/+$/, "");
  return {
    websocket: `${base.replace(/^http/, "ws")}${PUSH_PATHS.websocket}`,
    lotStream: (lotId) => `${base}${PUSH_PATHS.lotStream(lotId)}`,
  };
}
