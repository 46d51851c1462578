import {
  AckPolicy,
  DeliverPolicy,
  JetStreamApiError,
  jetstream,
  type ConsumerConfig,
} from "@nats-io/jetstream";
import { fromBinary } from "@bufbuild/protobuf";
import { nanos, type NatsConnection } from "@nats-io/nats-core";
import { traceProcess } from "@gavel/telemetry";
import type { Logger } from "@gavel/logging";
import {
  CATALOG_PROJECTOR_CONSUMER,
  LOT_EVENTS_STREAM,
  LOT_SUBJECT_TEMPLATE,
  LOT_SUBJECT_WILDCARD,
  lotIdFromSubject,
  CONSUME_EXPIRES_MS,
  manageJetStream,
} from "@gavel/nats";
import { LotEventSchema } from "@gavel/proto/lot/v1/lot_events";
import type { BidderReadModel } from "./bidder-read-model.ts";
import type { LotReadModel } from "./lot-read-model.ts";

/**
 * Keeps the read models current with every lot event, whoever appended it (bids and
 * closes come from bidding): the lot's record, and for an accepted bid, the bidder's
 * record of that lot, both from one fold of the lot's stream. A durable consumer
 * shared by all catalog replicas, with explicit acks: an event is acknowledged only
 * after its records are refreshed, so a crash means a redelivery, and a refresh is
 * idempotent.
 */
export class Projector {
  readonly #abort = new AbortController();
  #done: Promise<void> | undefined;
  readonly #nc: NatsConnection;
  readonly #model: LotReadModel;
  readonly #bidders: BidderReadModel;
  readonly #logger: Logger;

  constructor(nc: NatsConnection, model: LotReadModel, bidders: BidderReadModel, logger: Logger) {
    this.#nc = nc;
    this.#model = model;
    this.#bidders = bidders;
    this.#logger = logger;
  }

  async start(): Promise<void> {
    const jsm = await manageJetStream(this.#nc);
    const config: Partial<ConsumerConfig> = {
      durable_name: CATALOG_PROJECTOR_CONSUMER,
      filter_subject: LOT_SUBJECT_WILDCARD,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: nanos(30_000),
      max_ack_pending: 1_000,
    };
    try {
      await jsm.consumers.add(LOT_EVENTS_STREAM, config);
    } catch (err) {
      if (!(err instanceof JetStreamApiError)) throw err;
      await jsm.consumers.update(LOT_EVENTS_STREAM, CATALOG_PROJECTOR_CONSUMER, config);
    }
    const consumer = await jetstream(this.#nc).consumers.get(
      LOT_EVENTS_STREAM,
      CATALOG_PROJECTOR_CONSUMER,
    );
    const messages = await consumer.consume({ max_messages: 256, expires: CONSUME_EXPIRES_MS });
    this.#abort.signal.addEventListener("abort", () => messages.stop(), { once: true });
    this.#done = (async () => {
      for await (const message of messages) {
        const lotId = lotIdFromSubject(message.subject);
        const destination = { subject: message.subject, template: LOT_SUBJECT_TEMPLATE };
        try {
          await traceProcess(
            destination,
            message.headers,
            async () => {
              // Up to this event at least: a replica's read may lag the stream's leader.
              const projected = await this.#model.project(lotId, message.seq);
              const bidderId = bidderOf(message.data);
              if (projected && bidderId) await this.#bidders.refresh(projected.state, bidderId);
            },
            { consumer: CATALOG_PROJECTOR_CONSUMER, sequence: message.seq },
          );
          message.ack();
        } catch (err) {
          this.#logger.warn({ err, lot_id: lotId }, "projecting a lot event failed; redelivering");
          message.nak(1_000);
        }
      }
    })();
  }

  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#done;
  }
}

/** The bidder of an accepted-bid event; undefined for every other kind. */
function bidderOf(data: Uint8Array): string | undefined {
  const event = fromBinary(LotEventSchema, data);
  return event.kind.case === "bidAccepted" ? event.kind.value.bidderId : undefined;
}
