import { PUSH_PATHS } from "@gavel/config/push-paths";

/**
 * Where the push gateway serves live feeds, as the edge links to them. Relative by
 * default: the chart's Ingress serves the gateway on the edge's host. Where the gateway
 * has an origin of its own (`npm start`: its own port), main.ts names it once at start
 * (GAVEL_PUSH_PUBLIC_URL) and the links are absolute, so a client can follow them.
 */
let base = "";

/** Sets the gateway's public URL (http or https, maybe with a path); "" for relative links. */
export function setPushPublicUrl(url: string): void {
  base = url.replace(/\/+$/, "");
}

export const pushPaths = {
  /** The WebSocket endpoint: ws(s):// on the gateway's own origin, as the page's is. */
  websocket: (): string => `${base.replace(/^http/, "ws")}${PUSH_PATHS.websocket}`,
  lotStream: (lotId: string): string => `${base}${PUSH_PATHS.lotStream(lotId)}`,
};
