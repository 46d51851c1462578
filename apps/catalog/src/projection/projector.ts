import { fromBinary } from "@bufbuild/protobuf";
import { DeliverPolicy } from "@nats-io/jetstream";
import {
  CATALOG_PROJECTOR_CONSUMER,
  LOT_EVENTS_STREAM,
  LOT_SUBJECT_TEMPLATE,
  LOT_SUBJECT_WILDCARD,
  lotIdFromSubject,
  Unprocessable,
  type DurableWork,
} from "@gavel/nats";
import { LotEventSchema } from "@gavel/proto/lot/v1/lot_events";
import type { BidderReadModel } from "../bidders/bidder-read-model.ts";
import type { LotReadModel } from "../lots/lot-read-model.ts";

/**
 * Keeps the read models current with every lot event, whoever appended it (bids and
 * closes come from bidding): the lot's record, and for an accepted bid, the bidder's
 * record of that lot, both from one fold of the lot's stream. Run by a DurableWorker
 * shared by all catalog replicas; a refresh is idempotent, so a redelivery is harmless.
 */
export function projectorWork(model: LotReadModel, bidders: BidderReadModel): DurableWork {
  return {
    stream: LOT_EVENTS_STREAM,
    consumer: CATALOG_PROJECTOR_CONSUMER,
    filterSubject: LOT_SUBJECT_WILDCARD,
    subjectTemplate: LOT_SUBJECT_TEMPLATE,
    deliverPolicy: DeliverPolicy.All,
    ackWaitMs: 30_000,
    batch: 256,
    async handle(message) {
      const lotId = lotIdFromSubject(message.subject);
      // Up to this event at least: a replica's read may lag the stream's leader.
      const projected = await model.project(lotId, message.seq);
      const bidderId = bidderOf(message.data);
      if (projected && bidderId) await bidders.refresh(projected.state, bidderId);
    },
  };
}

/** The bidder of an accepted-bid event; undefined for every other kind. */
function bidderOf(data: Uint8Array): string | undefined {
  let event;
  try {
    event = fromBinary(LotEventSchema, data);
  } catch (err) {
    throw new Unprocessable("not a lot event", { cause: err });
  }
  return event.kind.case === "bidAccepted" ? event.kind.value.bidderId : undefined;
}
