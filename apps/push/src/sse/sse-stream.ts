import type { ServerResponse } from "node:http";
import { onExpiry } from "@gavel/auth";
import { SSE_HEADERS, sseComment, sseEvent, sseRetry } from "@gavel/sse";
import type { Logger } from "@gavel/logging";
import type { Channel, ChannelEvent } from "../feeds/channels.ts";
import type { FeedHub } from "../feeds/feed-hub.ts";
import { Subscription, type EventSink } from "../feeds/subscription.ts";

/** How long a browser's EventSource waits before it reconnects after a stream ends. */
const RETRY_MS = 2_000;
const PING = sseComment("ping");

export interface SseOptions {
  hub: FeedHub;
  logger: Logger;
  sendBufferBytes: number;
  /** When the credential that opened the stream expires: it ends there. */
  expiresAtMs?: number | undefined;
}

/** The last event of a stream whose credential expired (EventSource: listen for "expired"). */
const EXPIRED = sseEvent(
  "expired",
  JSON.stringify({
    reason:
      "your access token expired: get a fresh one (and a new ticket) and reopen the stream with ?after=<the last id you received>",
  }),
);

/**
 * One Server-Sent Events stream of one channel: `id:` is the event's stream sequence, so
 * EventSource's automatic reconnection (with Last-Event-ID) resumes with no gap and no
 * duplicate, on any replica. A stream whose unsent bytes pass the send buffer is ended:
 * the client reconnects and replays rather than holding the replica's memory.
 */
export class SseStream implements EventSink {
  readonly transport = "sse";
  readonly #res: ServerResponse;
  readonly #options: SseOptions;
  readonly #subscription: Subscription;
  #ended = false;
  #cancelExpiry: () => void = () => undefined;

  constructor(res: ServerResponse, channel: Channel, after: number, options: SseOptions) {
    this.#res = res;
    this.#options = options;
    this.#subscription = new Subscription(options.hub, channel, after, this);
    res.writeHead(200, { ...SSE_HEADERS, connection: "keep-alive" });
    res.write(sseRetry(RETRY_MS));
    res.on("close", () => this.#stop());
    if (options.expiresAtMs !== undefined) {
      this.#cancelExpiry = onExpiry(options.expiresAtMs, () => {
        this.#write(EXPIRED);
        this.end();
      });
    }
  }

  /** Follows the channel; resolves with how many stored events it replayed, if it could. */
  async start(resume: boolean): Promise<number | undefined> {
    try {
      const { after, replayed } = await this.#subscription.start(resume);
      this.#write(sseComment(`live after ${after}`));
      return replayed;
    } catch (err) {
      this.fail("could not follow the channel", err);
      return undefined;
    }
  }

  /** Called every heartbeat interval (one Ticker for all streams): keeps proxies from idling it out. */
  tick(): void {
    this.#write(PING);
  }

  sendEvent(event: ChannelEvent): void {
    this.#write(event.sse);
  }

  fail(reason: string, err?: unknown): void {
    if (err) this.#options.logger.warn({ err }, reason);
    this.end();
  }

  /** Ends the stream; the client's EventSource reconnects after `retry`. */
  end(): void {
    if (this.#ended) return;
    this.#stop();
    this.#res.end();
  }

  #write(chunk: string | Buffer): void {
    if (this.#ended) return;
    this.#res.write(chunk);
    if (this.#res.writableLength > this.#options.sendBufferBytes) this.end(); // slow consumer
  }

  #stop(): void {
    this.#ended = true;
    this.#cancelExpiry();
    this.#subscription.stop();
  }
}
