import {
  DeliverPolicy,
  type ConsumerMessages,
  type JetStreamClient,
  type JsMsg,
} from "@nats-io/jetstream";
import type { Logger } from "@gavel/logging";
import { CONSUME_EXPIRES_MS } from "@gavel/nats";

/** The first wait before recreating a failed consumer; it doubles up to the maximum. */
const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 30_000;

/**
 * An ordered JetStream consumer on `filter` that hands every message after `after` to
 * `onMessage`, in stream order, once, for as long as it is open: when its consume loop
 * fails it opens a new consumer after the last message passed, with a backoff. Both feed
 * modes use it: docs/architecture.md#restarting-a-failed-feed-consumer
 */
export class ResumingConsumer {
  readonly #js: JetStreamClient;
  readonly #stream: string;
  readonly #filter: string;
  readonly #onMessage: (message: JsMsg) => void;
  readonly #logger: Logger;
  #position: number;
  #messages: ConsumerMessages | undefined;
  #failures = 0;
  #retry: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(
    js: JetStreamClient,
    stream: string,
    filter: string,
    after: number,
    onMessage: (message: JsMsg) => void,
    logger: Logger,
  ) {
    this.#js = js;
    this.#stream = stream;
    this.#filter = filter;
    this.#position = after;
    this.#onMessage = onMessage;
    this.#logger = logger;
  }

  /** The last stream sequence handed over (or skipped by the filter's stream order). */
  get position(): number {
    return this.#position;
  }

  /** Opens the first consumer; rejects if that fails (the caller decides what then). */
  start(): Promise<void> {
    return this.#consume();
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#retry);
    await this.#messages?.close().catch(() => undefined);
  }

  async #consume(): Promise<void> {
    const consumer = await this.#js.consumers.get(this.#stream, {
      filter_subjects: [this.#filter],
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: this.#position + 1,
    });
    const messages = await consumer.consume({ max_messages: 512, expires: CONSUME_EXPIRES_MS });
    this.#messages = messages;
    if (this.#closed) {
      await messages.close();
      return;
    }
    this.#failures = 0;
    void (async () => {
      for await (const message of messages) {
        this.#position = message.seq;
        this.#onMessage(message);
      }
      if (!this.#closed) throw new Error("the consumer stopped");
    })().catch((err: unknown) => this.#recreate(err));
  }

  #recreate(err: unknown): void {
    if (this.#closed) return;
    const delay = Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** this.#failures++);
    this.#logger.error(
      { err, subject: this.#filter, after: this.#position, retryMs: delay },
      "live feed failed; following again from where it was",
    );
    void this.#messages?.close().catch(() => undefined);
    this.#messages = undefined;
    this.#retry = setTimeout(() => void this.#consume().catch((e) => this.#recreate(e)), delay);
    this.#retry.unref();
  }
}
