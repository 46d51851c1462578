import {
  AckPolicy,
  JetStreamApiError,
  jetstream,
  type ConsumerConfig,
  type DeliverPolicy,
  type JsMsg,
} from "@nats-io/jetstream";
import { nanos, type NatsConnection } from "@nats-io/nats-core";
import type { Logger } from "@gavel/logging";
import { traceProcess } from "@gavel/telemetry";
import { manageJetStream } from "./connect.ts";
import { CONSUME_EXPIRES_MS } from "./consume.ts";
import { untilAvailable } from "./unavailable.ts";

/** How long a failed message waits before it is delivered again. */
const RETRY_MS = 1_000;

/** One durable consumer's job: which messages, and what to do with each. */
export interface DurableWork {
  stream: string;
  consumer: string;
  filterSubject: string;
  /** The subjects without their id, for span names: `gavel.lot.{lot_id}`. */
  subjectTemplate: string;
  /** Where a consumer created for the first time starts; an existing one keeps its place. */
  deliverPolicy: DeliverPolicy;
  /** How long a message may go unacknowledged before another replica gets it (10 s). */
  ackWaitMs?: number;
  /** How many messages one pull asks for (64). */
  batch?: number;
  /**
   * Resolves once everything the message causes is stored. Throwing has the message
   * delivered again later, so the work must be idempotent.
   */
  handle(message: JsMsg): Promise<void>;
}

/**
 * A message no retry can help (it does not decode, or the stream it folds into is
 * corrupt): terminated with an error log instead of redelivered forever.
 */
export class Unprocessable extends Error {
  override name = "Unprocessable";
}

/**
 * Runs a DurableWork on a durable consumer shared by every replica of a service, with
 * explicit acks: JetStream gives each message to one replica, and a message is
 * acknowledged only after its work is stored, so a crash or a failure means a
 * redelivery (after a second on failure, after ackWaitMs on a crash), never a loss.
 * Messages are handled one at a time per replica, so stopping finishes the one in hand.
 */
export class DurableWorker {
  readonly #abort = new AbortController();
  #done: Promise<void> | undefined;
  #running = false;
  readonly #nc: NatsConnection;
  readonly #work: DurableWork;
  readonly #logger: Logger;

  constructor(nc: NatsConnection, work: DurableWork, logger: Logger) {
    this.#nc = nc;
    this.#work = work;
    this.#logger = logger.child({ consumer: work.consumer });
  }

  /** True from start until stop, or until the consumer's message loop ends on its own. */
  get running(): boolean {
    return this.#running;
  }

  async start(): Promise<void> {
    const { stream, consumer: name } = this.#work;
    const jsm = await manageJetStream(this.#nc);
    const config: Partial<ConsumerConfig> = {
      durable_name: name,
      filter_subject: this.#work.filterSubject,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: this.#work.deliverPolicy,
      ack_wait: nanos(this.#work.ackWaitMs ?? 10_000),
      max_ack_pending: 1_000,
    };
    // A start-up step: NATS may be restarting (a rolling upgrade) or electing a leader.
    const consumer = await untilAvailable(async () => {
      try {
        await jsm.consumers.add(stream, config);
      } catch (err) {
        if (!(err instanceof JetStreamApiError)) throw err;
        await jsm.consumers.update(stream, name, config);
      }
      return jetstream(this.#nc).consumers.get(stream, name);
    });
    const messages = await consumer.consume({
      max_messages: this.#work.batch ?? 64,
      expires: CONSUME_EXPIRES_MS,
    });
    this.#abort.signal.addEventListener("abort", () => messages.stop(), { once: true });
    this.#running = true;
    this.#done = (async () => {
      for await (const message of messages) await this.#handle(message);
    })()
      .catch((err: unknown) => this.#logger.error({ err }, "consumer loop failed"))
      .finally(() => (this.#running = false));
  }

  /** Stops taking messages and waits for the one in hand. */
  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#done;
  }

  async #handle(message: JsMsg): Promise<void> {
    try {
      const destination = { subject: message.subject, template: this.#work.subjectTemplate };
      await traceProcess(destination, message.headers, () => this.#work.handle(message), {
        consumer: this.#work.consumer,
        sequence: message.seq,
      });
      message.ack();
    } catch (err) {
      const where = { subject: message.subject, seq: message.seq };
      if (err instanceof Unprocessable) {
        // Its reason is the whole story (no stack): what the message is, not where it broke.
        const reason = err.message;
        this.#logger.error({ reason, ...where }, "dropping a message that cannot be handled");
        message.term(err.message);
      } else {
        this.#logger.warn({ err, ...where }, "handling a message failed; redelivering");
        message.nak(RETRY_MS);
      }
    }
  }
}
