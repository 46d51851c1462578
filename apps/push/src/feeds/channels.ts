import { fromBinary, toJsonString, type DescMessage } from "@bufbuild/protobuf";
import {
  isSafeToken,
  LOT_EVENTS_STREAM,
  LOT_SUBJECT_TEMPLATE,
  LOT_SUBJECT_WILDCARD,
  lotSubject,
  NOTIFICATIONS_STREAM,
  NOTIFY_SUBJECT_TEMPLATE,
  NOTIFY_SUBJECT_WILDCARD,
  notifySubject,
} from "@gavel/nats";
import { LotEventSchema } from "@gavel/proto/lot/v1/lot_events";
import { NotificationSchema } from "@gavel/proto/notification/v1/notifications";
import { sseEvent } from "@gavel/sse";
import { PROTOCOL_VERSION, serverMessage } from "../ws/protocol.ts";
import { framePayload, textFrame } from "../ws/ws-frame.ts";

/**
 * What a client can follow: a lot's live feed (`lot:<lot id>`, public: the bids on a lot
 * are on its page for anyone) or a user's notifications (`user:<user id>`, only the user
 * themselves). Each is one subject of a JetStream stream, so every event has a sequence a
 * client can resume after.
 */
export interface Channel {
  name: string;
  kind: "lot" | "user";
  /** The lot's or the user's id. */
  id: string;
  stream: string;
  subject: string;
  /** The subject without its id, for span names. */
  template: string;
  /** Every channel of its kind: the subjects a shared feed consumes (see shared-feed.ts). */
  wildcard: string;
  /**
   * Turns a stored message into the event clients receive; `traceId` is the trace of the
   * request that caused it (from its headers), for a client that links to it.
   */
  decode(seq: number, data: Uint8Array, traceId?: string): ChannelEvent;
}

/**
 * One event, serialized, UTF-8 encoded and (for WebSocket) framed once for every socket
 * and stream that delivers it: a fan-out writes the same bytes to thousands of
 * connections, and encoding or framing per write would cost more than the rest of the
 * hand-off.
 */
export interface ChannelEvent {
  channel: string;
  /** The event's stream sequence; a run's is its last event's. */
  seq: number;
  /** The event's kind, snake_case: bid_accepted, closed, outbid, won, ... */
  type: string;
  /** The WebSocket message as a whole text frame, header and payload (ws-frame.ts). */
  frame: Buffer;
  /** The SSE record (id, event, data lines and the blank line). */
  sse: Buffer;
  /** In a run (eventRun), the events it holds, in order; undefined in a single event. */
  parts?: readonly ChannelEvent[];
}

/**
 * Consecutive events of one channel as one: a `batch` frame and the SSE records end to
 * end, built once for every follower, so a fan-out that fell behind catches up with one
 * write per connection instead of one per event.
 */
export function eventRun(events: readonly ChannelEvent[]): ChannelEvent {
  const last = events.at(-1)!;
  return {
    channel: last.channel,
    seq: last.seq,
    type: "batch",
    frame: textFrame(serverMessage.batch(events.map((event) => framePayload(event.frame)))),
    sse: Buffer.concat(events.map((event) => event.sse)),
    parts: events.flatMap((event) => event.parts ?? event),
  };
}

export function parseChannel(name: string): Channel | undefined {
  const [kind, id, ...rest] = name.split(":");
  if (rest.length > 0 || id === undefined || !isSafeToken(id)) return undefined;
  if (kind === "lot") {
    return channel(
      name,
      "lot",
      id,
      LOT_EVENTS_STREAM,
      lotSubject(id),
      LotEventSchema,
      LOT_SUBJECT_TEMPLATE,
      LOT_SUBJECT_WILDCARD,
    );
  }
  if (kind === "user") {
    return channel(
      name,
      "user",
      id,
      NOTIFICATIONS_STREAM,
      notifySubject(id),
      NotificationSchema,
      NOTIFY_SUBJECT_TEMPLATE,
      NOTIFY_SUBJECT_WILDCARD,
    );
  }
  return undefined;
}

function channel<S extends DescMessage>(
  name: string,
  kind: Channel["kind"],
  id: string,
  stream: string,
  subject: string,
  schema: S,
  template: string,
  wildcard: string,
): Channel {
  return {
    name,
    kind,
    id,
    stream,
    subject,
    template,
    wildcard,
    decode(seq, data, traceId) {
      const message = fromBinary(schema, data);
      const type = snake(kindOf(message));
      const json = toJsonString(schema, message);
      return {
        channel: name,
        seq,
        type,
        frame: textFrame(
          `{"v":${PROTOCOL_VERSION},"type":"event","channel":${JSON.stringify(name)},"seq":${seq},"event":"${type}"${traceId ? `,"traceId":"${traceId}"` : ""},"data":${json}}`,
        ),
        sse: Buffer.from(sseEvent(type, json, seq)),
      };
    },
  };
}

/** The case of the message's `kind` oneof, which every streamed message has. */
function kindOf(message: object): string {
  const kind = (message as { kind?: { case?: string } }).kind;
  return kind?.case ?? "unknown";
}

function snake(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}
