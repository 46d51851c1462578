/**
 * Where the push gateway serves what: the one table the gateway routes by, the edge
 * links to and the page connects to. No imports, so the page's bundle takes only this.
 */
export const PUSH_PATHS = {
  websocket: "/ws",
  tickets: "/tickets",
  notifications: "/sse/notifications",
  lotStream: (lotId: string): string => `/sse/lots/${lotId}`,
  lotPresence: (lotId: string): string => `/presence/lots/${lotId}`,
  /** The lot paths without their id, for span names (which must not be unique per lot). */
  templates: { lotStream: "/sse/lots/{lot_id}", lotPresence: "/presence/lots/{lot_id}" },
} as const;

const LOT_STREAM = /^\/sse\/lots\/([^/]+)$/;
const LOT_PRESENCE = /^\/presence\/lots\/([^/]+)$/;

/** The lot id of a lot stream's path ("/sse/lots/<id>"); undefined for any other path. */
export const lotOfStreamPath = (path: string): string | undefined => LOT_STREAM.exec(path)?.[1];

/** The lot id of a presence path ("/presence/lots/<id>"); undefined for any other path. */
export const lotOfPresencePath = (path: string): string | undefined => LOT_PRESENCE.exec(path)?.[1];
