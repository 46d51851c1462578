import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { SSE_HEADERS, sseComment, sseEvent, sseRetry } from "@gavel/sse";
import type { Logger } from "@gavel/logging";
import type { ExpiryWheel } from "../expiry-wheel.ts";
import type { Channel, ChannelEvent } from "../feeds/channels.ts";
import type { FeedHub } from "../feeds/feed-hub.ts";
import { Subscription, type EventSink } from "../feeds/subscription.ts";
import { chunk, LAST_CHUNK, takeStreamSocket } from "./stream-socket.ts";

/** How long a browser's EventSource waits before it reconnects after a stream ends. */
const RETRY_MS = 2_000;
const HEADERS = { ...SSE_HEADERS, connection: "keep-alive" };

/** A record as a chunk of an HTTP/1.1 body and as it is (an HTTP/1.0 body). */
interface Framed {
  chunked: Buffer;
  raw: Buffer;
}
function record(text: string): Framed {
  const raw = Buffer.from(text);
  return { chunked: chunk(raw), raw };
}

const RETRY = record(sseRetry(RETRY_MS));
const PING = record(sseComment("ping"));
/** The last event of a stream whose credential expired (EventSource: listen for "expired"). */
const EXPIRED = record(
  sseEvent(
    "expired",
    JSON.stringify({
      reason:
        "your access token expired: get a fresh one (and a new ticket) and reopen the stream with ?after=<the last id you received>",
    }),
  ),
);

/** Each event's SSE record as a chunk, framed once for every stream that sends it. */
const eventChunks = new WeakMap<ChannelEvent, Buffer>();
function chunkOf(event: ChannelEvent): Buffer {
  let framed = eventChunks.get(event);
  if (!framed) eventChunks.set(event, (framed = chunk(event.sse)));
  return framed;
}

/** What every stream of a replica shares: one object for all of them. */
export interface SseStreams {
  hub: FeedHub;
  logger: Logger;
  sendBufferBytes: number;
  /** Where a stream opened with a credential waits for it to expire. */
  expiries: ExpiryWheel;
  /** Runs once for each stream, when its connection has closed. */
  onClosed(stream: SseStream): void;
}

/** Who opened a stream: the user, if any, and when the credential that opened it expires. */
export interface StreamHolder {
  userId?: string | undefined;
  expiresAtMs?: number | undefined;
}

/** A stream's connection, which points back at the stream for the shared listeners. */
const STREAM = Symbol("sse stream");
type OwnedSocket = Socket & { [STREAM]?: SseStream };

/**
 * One Server-Sent Events stream of one channel: `id:` is the event's stream sequence, so
 * EventSource resumes (Last-Event-ID) with no gap and no duplicate, on any replica. Past the
 * send buffer it is ended: the client resumes rather than hold the replica's memory. Idle,
 * it holds little: docs/architecture.md#what-an-idle-connection-holds
 */
export class SseStream implements EventSink {
  readonly userId: string | undefined;
  readonly #socket: OwnedSocket;
  readonly #chunked: boolean;
  readonly #streams: SseStreams;
  readonly #subscription: Subscription;
  #ended = false;
  #closed = false;

  /** Answers the request with the stream's head; the response is done with after that. */
  constructor(
    req: IncomingMessage,
    res: ServerResponse,
    channel: Channel,
    after: number,
    holder: StreamHolder,
    streams: SseStreams,
  ) {
    const taken = takeStreamSocket(req, res, HEADERS, SseStream.#socketListeners);
    const socket: OwnedSocket = taken.socket;
    this.userId = holder.userId;
    this.#socket = socket;
    this.#chunked = taken.chunked;
    this.#streams = streams;
    this.#subscription = new Subscription(streams.hub, channel, after, this);
    socket[STREAM] = this;
    // A client gone before the head was sent: its "close" may have been emitted already.
    if (socket.destroyed) process.nextTick(SseStream.#onSocketClose.bind(socket));
    this.#send(RETRY);
    if (holder.expiresAtMs !== undefined) streams.expiries.add(this, holder.expiresAtMs);
  }

  get transport(): "sse" {
    return "sse";
  }

  get channel(): Channel {
    return this.#subscription.channel;
  }

  /** Follows the channel; resolves with how many stored events it replayed, if it could. */
  async start(resume: boolean): Promise<number | undefined> {
    try {
      const { after, replayed } = await this.#subscription.start(resume);
      this.#send(record(sseComment(`live after ${after}`)));
      return replayed;
    } catch (err) {
      this.fail("could not follow the channel", err);
      return undefined;
    }
  }

  /** Called every heartbeat interval (one Ticker for all streams): keeps proxies from idling it out. */
  tick(): void {
    this.#send(PING);
  }

  /** Called by the replica's expiry wheel once the credential that opened the stream expired. */
  expire(): void {
    this.#send(EXPIRED);
    this.end();
  }

  sendEvent(event: ChannelEvent): void {
    this.#write(this.#chunked ? chunkOf(event) : event.sse);
  }

  fail(reason: string, err?: unknown): void {
    if (err) this.#streams.logger.warn({ err }, reason);
    this.end();
  }

  /** Ends the stream, and its connection once sent; the client's EventSource reconnects after `retry`. */
  end(): void {
    if (this.#ended) return;
    this.#stop();
    const socket = this.#socket;
    if (!socket.writable) return;
    const destroy = () => socket.destroy();
    if (this.#chunked) socket.end(LAST_CHUNK, destroy);
    else socket.end(destroy);
  }

  /** Drops the connection at once, sent or not: a drain's last step. */
  terminate(): void {
    this.#stop();
    this.#socket.destroy();
  }

  #send(framed: Framed): void {
    this.#write(this.#chunked ? framed.chunked : framed.raw);
  }

  #write(bytes: Buffer): void {
    if (this.#ended) return;
    this.#socket.write(bytes);
    if (this.#socket.writableLength > this.#streams.sendBufferBytes) this.end(); // slow consumer
  }

  #stop(): void {
    this.#ended = true;
    this.#streams.expiries.delete(this);
    this.#subscription.stop();
  }

  static readonly #socketListeners = {
    close: SseStream.#onSocketClose,
    // An error is followed by "close", which ends the stream.
    error: () => undefined,
  };

  static #onSocketClose(this: OwnedSocket): void {
    const stream = this[STREAM];
    if (!stream || stream.#closed) return;
    stream.#closed = true;
    stream.#stop();
    stream.#streams.onClosed(stream);
  }
}
