import type { JetStreamClient, JetStreamManager, JsMsg } from "@nats-io/jetstream";
import type { Logger } from "@gavel/logging";
import type { Channel } from "./channels.ts";
import { ChannelDelivery } from "./feed-delivery.ts";
import type { Feed, Listener } from "./feed-hub.ts";
import { ResumingConsumer } from "./resuming-consumer.ts";
import type { TraceClaims } from "../tracing/trace-claims.ts";
import { traceIdOf } from "../tracing/traceparent.ts";

/** A channel with local listeners, and the way its messages take to them. */
interface Watched {
  channel: Channel;
  listeners: Set<Listener>;
  delivery: ChannelDelivery;
}

/**
 * The shared mode's feed: one ordered consumer per kind of channel per replica, on the
 * kind's wildcard subject; each message goes by its subject to that channel's local
 * listeners, or is dropped undecoded. A joining listener is live after the feed's position
 * (the last sequence it passed), read once the listener is in its channel's set:
 * docs/architecture.md#where-a-joining-listener-goes-live
 */
export class SharedFeed implements Feed {
  /** Channels with local listeners, by subject: what a message is dispatched by. */
  readonly #watched = new Map<string, Watched>();
  readonly #stream: string;
  readonly #wildcard: string;
  readonly #logger: Logger;
  readonly #claims: TraceClaims;
  readonly #onClosed: () => void;
  /** Resolves once the position is known and the first consumer exists. */
  readonly #started: Promise<void>;
  #consumer: ResumingConsumer | undefined;
  #closed = false;

  /** `first`: the channel whose listener opens the feed, for its stream and wildcard. */
  constructor(
    first: Channel,
    js: JetStreamClient,
    jsm: JetStreamManager,
    logger: Logger,
    claims: TraceClaims,
    onClosed: () => void,
  ) {
    this.#stream = first.stream;
    this.#wildcard = first.wildcard;
    this.#logger = logger;
    this.#claims = claims;
    this.#onClosed = onClosed;
    this.#started = this.#start(js, jsm);
    this.#started.catch(() => this.close());
  }

  async add(channel: Channel, listener: Listener): Promise<number> {
    let watched = this.#watched.get(channel.subject);
    if (!watched) {
      const listeners = new Set<Listener>();
      const delivery = new ChannelDelivery(channel, listeners, this.#claims, this.#logger);
      watched = { channel, listeners, delivery };
      this.#watched.set(channel.subject, watched);
    }
    // In the set first, the position read after: see the class comment.
    watched.listeners.add(listener);
    try {
      await this.#started;
    } catch (err) {
      this.remove(channel, listener);
      throw err;
    }
    return this.#consumer!.position;
  }

  remove(channel: Channel, listener: Listener): void {
    const watched = this.#watched.get(channel.subject);
    if (!watched) return;
    watched.listeners.delete(listener);
    if (watched.listeners.size === 0) this.#watched.delete(channel.subject);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#onClosed();
    await this.#consumer?.close();
  }

  /**
   * Starts after the stream's last sequence, as DeliverPolicy.New would, but from a
   * position this replica knows: joins need it, and an ordered consumer that resets before
   * its first message is recreated with its first settings, which with New would skip
   * what was appended meanwhile. Stream info comes from the leader, never behind.
   */
  async #start(js: JetStreamClient, jsm: JetStreamManager): Promise<void> {
    const info = await jsm.streams.info(this.#stream);
    const consumer = new ResumingConsumer(
      js,
      this.#stream,
      this.#wildcard,
      info.state.last_seq,
      (message) => this.#dispatch(message),
      this.#logger,
    );
    this.#consumer = consumer;
    await consumer.start();
    if (this.#closed) await consumer.close();
  }

  #dispatch(message: JsMsg): void {
    const watched = this.#watched.get(message.subject);
    if (!watched) {
      // Undecoded, but its trace is known to be the server's (trace-claims.ts): a header read.
      const dropped = traceIdOf(message.headers);
      if (dropped) this.#claims.markServer(dropped);
      return;
    }
    try {
      watched.delivery.deliver(message);
    } catch (err) {
      // One event that cannot be decoded must not stall every channel.
      const channel = watched.channel.name;
      this.#logger.error({ err, channel, seq: message.seq }, "delivering an event failed");
    }
  }
}
