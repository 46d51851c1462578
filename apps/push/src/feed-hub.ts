import {
  DeliverPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  JetStreamError,
  type ConsumerMessages,
  type JetStreamClient,
  type JetStreamManager,
} from "@nats-io/jetstream";
import type { Logger } from "@gavel/logging";
import { contextOf, traceDeliver } from "@gavel/telemetry";
import { trace } from "@opentelemetry/api";
import type { MsgHdrs } from "@nats-io/nats-core";
import type { Channel, ChannelEvent } from "./channels.ts";
import { deliveries, fanoutLag } from "./push-metrics.ts";
import { CONSUME_EXPIRES_MS } from "@gavel/nats";

/** Something that receives a channel's live events, in stream order. */
export interface Listener {
  push(event: ChannelEvent): void;
}

/** How long a feed nobody listens to stays open, so a quick re-subscribe does not churn. */
const LINGER_MS = 5_000;
/** Messages per direct-get batch when replaying a gap. */
const REPLAY_BATCH = 256;

/**
 * One live feed per channel per replica, whatever the number of listeners: an ordered
 * JetStream consumer on the channel's subject, started when the first listener joins
 * and stopped a moment after the last one leaves. A replica without listeners for a
 * channel has no consumer for it, so NATS sends it nothing.
 *
 * Each feed knows the last sequence it handed to listeners. Everything up to it is
 * stored, and everything after it reaches every listener that joined before, so a
 * listener that joins gets the gap up to that point by replay (direct gets) and the
 * rest live: no gap, and the listener drops the overlap by sequence (see Subscription).
 */
export class FeedHub {
  readonly #feeds = new Map<string, Feed>();
  readonly #js: JetStreamClient;
  readonly #jsm: JetStreamManager;
  readonly #logger: Logger;

  constructor(js: JetStreamClient, jsm: JetStreamManager, logger: Logger) {
    this.#js = js;
    this.#jsm = jsm;
    this.#logger = logger;
  }

  /** Channels with a live feed on this replica. */
  get feedCount(): number {
    return this.#feeds.size;
  }

  /**
   * Adds a listener and returns the sequence it is live after: it receives every event
   * after that one through push(); earlier ones are replay()'s.
   */
  async join(channel: Channel, listener: Listener): Promise<number> {
    let feed = this.#feeds.get(channel.name);
    if (!feed) {
      feed = new Feed(channel, this.#js, this.#jsm, this.#logger, () => {
        if (this.#feeds.get(channel.name) === feed) this.#feeds.delete(channel.name);
      });
      this.#feeds.set(channel.name, feed);
    }
    return feed.add(listener);
  }

  leave(channel: Channel, listener: Listener): void {
    this.#feeds.get(channel.name)?.remove(listener);
  }

  /** The channel's stored events after `after`, up to and including `upTo`, in order. */
  async *replay(channel: Channel, after: number, upTo: number): AsyncGenerator<ChannelEvent> {
    let next = after + 1;
    while (next <= upTo) {
      const batch = await this.#jsm.direct.getBatch(channel.stream, {
        seq: next,
        next_by_subj: channel.subject,
        batch: REPLAY_BATCH,
      });
      let count = 0;
      try {
        for await (const message of batch) {
          count++;
          next = message.seq + 1;
          if (message.seq > upTo) return;
          yield channel.decode(message.seq, message.data, traceIdOf(message.header));
        }
      } catch (err) {
        if (!isNoMessages(err)) throw err;
      }
      if (count < REPLAY_BATCH) return;
    }
  }

  async stop(): Promise<void> {
    await Promise.all([...this.#feeds.values()].map((feed) => feed.close()));
    this.#feeds.clear();
  }
}

class Feed {
  readonly #listeners = new Set<Listener>();
  readonly #channel: Channel;
  readonly #logger: Logger;
  readonly #onClosed: () => void;
  /** Resolves with the sequence the feed started after, once its consumer exists. */
  readonly #started: Promise<number>;
  #lastDelivered = 0;
  #messages: ConsumerMessages | undefined;
  #linger: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(
    channel: Channel,
    js: JetStreamClient,
    jsm: JetStreamManager,
    logger: Logger,
    onClosed: () => void,
  ) {
    this.#channel = channel;
    this.#logger = logger;
    this.#onClosed = onClosed;
    this.#started = this.#start(js, jsm);
    this.#started.catch(() => this.close());
  }

  async add(listener: Listener): Promise<number> {
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

  remove(listener: Listener): void {
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
    await this.#messages?.close().catch(() => undefined);
  }

  /**
   * Starts after the subject's last stored sequence, read first, so the consumer's
   * first delivery is the event right after it, whatever is appended meanwhile.
   */
  async #start(js: JetStreamClient, jsm: JetStreamManager): Promise<number> {
    const { stream, subject } = this.#channel;
    const last = await lastSequence(jsm, stream, subject);
    const consumer = await js.consumers.get(stream, {
      filter_subjects: [subject],
      ...(last > 0
        ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: last + 1 }
        : { deliver_policy: DeliverPolicy.All }),
    });
    const messages = await consumer.consume({ max_messages: 512, expires: CONSUME_EXPIRES_MS });
    this.#messages = messages;
    if (this.#closed) await messages.close();
    void (async () => {
      const destination = { subject: this.#channel.subject, template: this.#channel.template };
      for await (const message of messages) {
        // One span per event per replica, the publisher's child, around the writes to
        // every local socket and stream (a span per socket would cost more than the write).
        traceDeliver(destination, message.headers, this.#listeners.size, () => {
          const event = this.#channel.decode(message.seq, message.data, traceIdOf(message.headers));
          this.#lastDelivered = message.seq;
          for (const listener of this.#listeners) listener.push(event);
          const attributes = { "gavel.push.channel_kind": this.#channel.kind };
          fanoutLag.record(Date.now() - message.info.timestampNanos / 1e6, attributes);
          deliveries.add(this.#listeners.size, attributes);
        });
      }
    })().catch((err: unknown) => {
      this.#logger.error({ err, channel: this.#channel.name }, "live feed failed");
      void this.close();
    });
    return last;
  }
}

/** The trace id of the request that published a message, when it carries one. */
function traceIdOf(headers: MsgHdrs | undefined): string | undefined {
  return trace.getSpanContext(contextOf(headers))?.traceId;
}

/** The stream sequence of the subject's last message; 0 when it has none. */
async function lastSequence(jsm: JetStreamManager, stream: string, subject: string) {
  try {
    const message = await jsm.direct.getMessage(stream, { last_by_subj: subject });
    return message?.seq ?? 0;
  } catch (err) {
    if (isNoMessages(err)) return 0;
    if (err instanceof JetStreamApiError && err.code === JetStreamApiCodes.NoMessageFound) return 0;
    throw err;
  }
}

/** A direct get past the last message of a subject answers 404: simply nothing more. */
function isNoMessages(err: unknown): boolean {
  return err instanceof JetStreamError && (err as JetStreamError & { code?: number }).code === 404;
}
