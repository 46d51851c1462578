import type { JetStreamClient, JetStreamManager } from "@nats-io/jetstream";
import type { Logger } from "@gavel/logging";
import { ChannelFeed } from "./channel-feed.ts";
import type { Channel, ChannelEvent } from "./channels.ts";
import type { Config } from "../config.ts";
import { SharedFeed } from "./shared-feed.ts";
import { replayStored } from "./stored-events.ts";
import type { TraceClaims } from "../tracing/trace-claims.ts";

/** How a listener's client is connected, for the delivery's span. */
export type Transport = "websocket" | "sse";

/** Something that receives a channel's live events, in stream order. */
export interface Listener {
  readonly transport: Transport;
  push(event: ChannelEvent): void;
}

/**
 * How a replica follows channels: a consumer per channel it watches (`per-channel`,
 * ChannelFeed) or one per kind of channel for all of them (`shared`, SharedFeed).
 */
export type FeedMode = Config["GAVEL_PUSH_FEEDS"];

/** One consumer and the listeners it serves: a channel's, or a whole kind's. */
export interface Feed {
  /**
   * Adds a listener and resolves with a sequence such that every event of the channel up
   * to it is stored and every one after it reaches the listener through push(), once
   * and in order.
   */
  add(channel: Channel, listener: Listener): Promise<number>;
  remove(channel: Channel, listener: Listener): void;
  close(): Promise<void>;
}

/**
 * The replica's live feeds, each opened on its first listener and forgotten when it
 * closes, and the stored events behind them: a listener joins a channel's feed, learns
 * the sequence it is live after, and replays what it missed up to there (Subscription).
 */
export class FeedHub {
  readonly #feeds = new Map<string, Feed>();
  readonly #jsm: JetStreamManager;
  readonly #claims: TraceClaims;
  readonly #keyOf: (channel: Channel) => string;
  readonly #open: (channel: Channel, onClosed: () => void) => Feed;

  /** `claims`: where the trace of every event decoded here is marked the server's. */
  constructor(
    js: JetStreamClient,
    jsm: JetStreamManager,
    logger: Logger,
    mode: FeedMode,
    claims: TraceClaims,
  ) {
    this.#jsm = jsm;
    this.#claims = claims;
    const shared = mode === "shared";
    this.#keyOf = shared ? (channel) => channel.kind : (channel) => channel.name;
    this.#open = shared
      ? (channel, onClosed) => new SharedFeed(channel, js, jsm, logger, claims, onClosed)
      : (channel, onClosed) => new ChannelFeed(channel, js, jsm, logger, claims, onClosed);
  }

  /** Live consumers on this replica. */
  get feedCount(): number {
    return this.#feeds.size;
  }

  /**
   * Adds a listener and returns the sequence it is live after: it receives every event
   * after that one through push(); earlier ones are replay()'s.
   */
  async join(channel: Channel, listener: Listener): Promise<number> {
    const key = this.#keyOf(channel);
    let feed = this.#feeds.get(key);
    if (!feed) {
      feed = this.#open(channel, () => {
        if (this.#feeds.get(key) === feed) this.#feeds.delete(key);
      });
      this.#feeds.set(key, feed);
    }
    return feed.add(channel, listener);
  }

  leave(channel: Channel, listener: Listener): void {
    this.#feeds.get(this.#keyOf(channel))?.remove(channel, listener);
  }

  /** The channel's stored events after `after`, up to and including `upTo`, in order. */
  replay(channel: Channel, after: number, upTo: number): AsyncGenerator<ChannelEvent> {
    return replayStored(this.#jsm, channel, after, upTo, this.#claims);
  }

  async stop(): Promise<void> {
    await Promise.all([...this.#feeds.values()].map((feed) => feed.close()));
    this.#feeds.clear();
  }
}
