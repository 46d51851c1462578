import { z } from "zod";

/**
 * Gavel's WebSocket message protocol, version 1 (docs/push-protocol.md). Every message is a
 * JSON object with `v` and `type`. The client's messages carry an `id` of its choosing
 * that the server echoes in the answer, so a client can match acks and errors to requests.
 */
export const PROTOCOL_VERSION = 1;
/** The subprotocol a client asks for; `bearer.<token>` may follow it to authenticate. */
export const SUBPROTOCOL = "gavel.v1";

/** Close codes (RFC 6455 section 7.4, and 4xxx for the application). */
export const Close = {
  /** Normal closure, e.g. after the client's own close. */
  normal: 1000,
  /** Policy violation: too many messages, or a message that is not the protocol. */
  policy: 1008,
  /** A message over the size limit. */
  tooBig: 1009,
  /** The replica is shutting down: reconnect (to another one) and resume. */
  restart: 1012,
  /** A slow consumer: the send buffer overflowed. Reconnect and resume from the last seq. */
  tryAgainLater: 1013,
  /** The credential that opened the socket expired: reconnect with a fresh one and resume. */
  unauthorized: 4401,
} as const;

const channelName = z.string().min(1).max(200);
const requestId = z.string().min(1).max(64);
/**
 * The client's W3C trace context for the work a message causes (message-tracing.ts).
 * Any value passes: a malformed one is ignored, never an error (traceparent.ts).
 */
const traceparent = z.unknown().optional();

const subscribe = z.object({
  v: z.literal(PROTOCOL_VERSION),
  type: z.literal("subscribe"),
  id: requestId,
  channel: channelName,
  /** The last sequence the client saw on this channel: it gets everything after it. */
  after: z.number().int().min(0).optional(),
  traceparent,
});

const unsubscribe = z.object({
  v: z.literal(PROTOCOL_VERSION),
  type: z.literal("unsubscribe"),
  id: requestId,
  channel: channelName,
});

const bid = z.object({
  v: z.literal(PROTOCOL_VERSION),
  type: z.literal("bid"),
  id: requestId,
  lotId: z.string().min(1).max(64),
  /** The client's id for the bid: a retry with the same one is answered with the first. */
  bidId: z.string().min(1).max(64),
  amount: z.object({
    currency: z.string().length(3),
    amountMinor: z.string().regex(/^\d{1,18}$/, "a string of up to 18 digits"),
  }),
  traceparent,
});

const authenticate = z.object({
  v: z.literal(PROTOCOL_VERSION),
  type: z.literal("authenticate"),
  id: requestId,
  /** A fresh access token for the same user, before the old one expires. */
  token: z.string().min(1).max(4096),
});

const ping = z.object({ v: z.literal(PROTOCOL_VERSION), type: z.literal("ping"), id: requestId });

export const clientMessage = z.discriminatedUnion("type", [
  subscribe,
  unsubscribe,
  bid,
  authenticate,
  ping,
]);
export type ClientMessage = z.infer<typeof clientMessage>;

/** Error codes in `error` messages; the same words as Connect's codes where they match. */
export type ErrorCode =
  | "invalid_message"
  | "unknown_channel"
  | "permission_denied"
  | "unauthenticated"
  | "too_many_subscriptions"
  | "bid_refused"
  | "not_found"
  | "unavailable"
  | "internal";

/** Parses one client frame; a readable reason when it is not a valid message. */
export function parseClientMessage(
  text: string,
): { ok: true; message: ClientMessage } | { ok: false; reason: string; id?: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, reason: "not JSON" };
  }
  const parsed = clientMessage.safeParse(json);
  if (parsed.success) return { ok: true, message: parsed.data };
  const id =
    typeof json === "object" && json !== null && typeof (json as { id?: unknown }).id === "string"
      ? ((json as { id: string }).id.slice(0, 64) as string)
      : undefined;
  const issue = parsed.error.issues[0];
  const where = issue?.path.length ? issue.path.join(".") : "message";
  return { ok: false, reason: `${where}: ${issue?.message ?? "invalid"}`, ...(id ? { id } : {}) };
}

/** Server messages, serialized once: a fan-out writes the same string to every socket. */
export const serverMessage = {
  /** `expiresAt`: when the socket's credential expires, and the socket closes with 4401. */
  welcome: (
    connectionId: string,
    userId: string | undefined,
    replica: string,
    expiresAtMs: number | undefined,
  ) =>
    JSON.stringify({
      v: PROTOCOL_VERSION,
      type: "welcome",
      connectionId,
      userId,
      replica,
      expiresAt: expiresAtMs === undefined ? undefined : new Date(expiresAtMs).toISOString(),
    }),
  subscribed: (id: string, channel: string, after: number) =>
    JSON.stringify({ v: PROTOCOL_VERSION, type: "subscribed", id, channel, after }),
  unsubscribed: (id: string, channel: string) =>
    JSON.stringify({ v: PROTOCOL_VERSION, type: "unsubscribed", id, channel }),
  ack: (id: string, result: unknown) =>
    JSON.stringify({ v: PROTOCOL_VERSION, type: "ack", id, result }),
  pong: (id: string) => JSON.stringify({ v: PROTOCOL_VERSION, type: "pong", id }),
  error: (id: string | undefined, code: ErrorCode, message: string, detail?: unknown) =>
    JSON.stringify({ v: PROTOCOL_VERSION, type: "error", id, code, message, detail }),
  /**
   * Several messages in one frame: what a lagging socket gets instead of one frame each.
   * A batch among them is opened, so batches never nest.
   */
  batch(messages: readonly Buffer[]): Buffer {
    const parts: Buffer[] = [BATCH_OPEN];
    for (const [i, message] of messages.entries()) {
      if (i > 0) parts.push(COMMA);
      parts.push(
        isBatch(message) ? message.subarray(BATCH_OPEN.length, -BATCH_CLOSE.length) : message,
      );
    }
    parts.push(BATCH_CLOSE);
    return Buffer.concat(parts);
  },
};

function isBatch(message: Buffer): boolean {
  return message.subarray(0, BATCH_OPEN.length).equals(BATCH_OPEN);
}

const BATCH_OPEN = Buffer.from(`{"v":${PROTOCOL_VERSION},"type":"batch","messages":[`);
const COMMA = Buffer.from(",");
const BATCH_CLOSE = Buffer.from("]}");
