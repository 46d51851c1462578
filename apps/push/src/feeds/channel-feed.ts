import type { JetStreamClient, JetStreamManager, JsMsg } from "@nats-io/jetstream";
import type { Logger } from "@gavel/logging";
import type { Channel } from "./channels.ts";
import { ChannelDelivery } from "./feed-delivery.ts";
import type { Feed, Listener } from "./feed-hub.ts";
import { ResumingConsumer } from "./resuming-consumer.ts";
import { lastSequence } from "./stored-events.ts";
import type { TraceClaims } from "../tracing/trace-claims.ts";

/** How long a feed nobody listens to stays open, so a quick re-subscribe does not churn. */
const LINGER_MS = 5_000;

/**
 * The per-channel mode's feed: one ordered consumer per channel per replica, started when
 * the first listener joins and stopped a moment after the last leaves, so a replica with no
 * listener for a channel receives nothing of it. A joining listener is live after the last
 * sequence the feed handed out: docs/architecture.md#where-a-joining-listener-goes-live
 */
export class ChannelFeed implements Feed {
  readonly #listeners = new Set<Listener>();
  readonly #channel: Channel;
  readonly #logger: Logger;
  readonly #claims: TraceClaims;
  readonly #onClosed: () => void;
  /** Resolves with the sequence the feed started after, once its consumer exists. */
  readonly #started: Promise<number>;
  #lastDelivered = 0;
  #consumer: ResumingConsumer | undefined;
  #linger: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(
    channel: Channel,
    js: JetStreamClient,
    jsm: JetStreamManager,
    logger: Logger,
    claims: TraceClaims,
    onClosed: () => void,
  ) {
    this.#channel = channel;
    this.#logger = logger;
    this.#claims = claims;
    this.#onClosed = onClosed;
    this.#started = this.#start(js, jsm);
    this.#started.catch(() => this.close());
  }

  async add(_channel: Channel, listener: Listener): Promise<number> {
    clearTimeout(this.#linger);
    this.#listeners.add(listener);
    try {
      const startedAfter = await this.#started;
      return Math.max(startedAfter, this.#lastDelivered);
    } catch (err) {
      this.#listeners.delete(listener);
      throw err;
    }
  }

  remove(_channel: Channel, listener: Listener): void {
    this.#listeners.delete(listener);
    if (this.#listeners.size > 0 || this.#closed) return;
    clearTimeout(this.#linger);
    this.#linger = setTimeout(() => void this.close(), LINGER_MS);
    this.#linger.unref();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#linger);
    this.#onClosed();
    await this.#consumer?.close();
  }

  /**
   * Starts after the subject's last stored sequence, read first, so the consumer's
   * first delivery is the event right after it, whatever is appended meanwhile.
   */
  async #start(js: JetStreamClient, jsm: JetStreamManager): Promise<number> {
    const { stream, subject } = this.#channel;
    const last = await lastSequence(jsm, stream, subject);
    const delivery = new ChannelDelivery(
      this.#channel,
      this.#listeners,
      this.#claims,
      this.#logger,
    );
    const deliverToListeners = (message: JsMsg) => {
      this.#lastDelivered = message.seq;
      delivery.deliver(message);
    };
    const consumer = new ResumingConsumer(
      js,
      stream,
      subject,
      last,
      deliverToListeners,
      this.#logger,
    );
    this.#consumer = consumer;
    await consumer.start();
    if (this.#closed) await consumer.close();
    return last;
  }
}
