import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { toMoney, type AcceptedBid, type LotState, type LotWriter } from "@gavel/lot-events";
import { LotEventSchema } from "@gavel/proto/lot/v1/lot_events";
import { BidError } from "./bid-errors.ts";
import { decideBid, type BidAttempt, type RejectionReason } from "./bid-rules.ts";

const REJECTION_MESSAGES: Record<RejectionReason, string> = {
  too_low: "bid is below the minimum next bid",
  ended: "the lot has ended",
  cancelled: "the lot was cancelled",
  already_highest: "you are already the highest bidder",
  own_lot: "sellers cannot bid on their own lots",
  currency_mismatch: "bid currency differs from the lot's currency",
  bid_id_reused: "this bid id was already used for a different bid",
};

/** Places one bid through the lot's write loop; idempotent on the bid id. */
export function placeBid(
  writer: LotWriter,
  lotId: string,
  attempt: BidAttempt,
  clock: () => Date = () => new Date(),
): Promise<{ bid: AcceptedBid; state: LotState }> {
  return writer.write<{ bid: AcceptedBid; state: LotState }>(lotId, (state) => {
    const now = clock();
    const decision = decideBid(state, attempt, now);
    switch (decision.kind) {
      case "duplicate":
        return { done: { bid: decision.bid, state } };
      case "reject":
        throw new BidError(decision.reason, REJECTION_MESSAGES[decision.reason], {
          minimum: decision.minimum,
          endsAt: decision.endsAt,
        });
      case "accept":
        return {
          msgId: `bid:${lotId}:${attempt.bidId}`,
          append: create(LotEventSchema, {
            lotId,
            occurredAt: timestampFromDate(now),
            kind: {
              case: "bidAccepted",
              value: {
                bidId: attempt.bidId,
                bidderId: attempt.bidderId,
                amount: toMoney(attempt.amount),
                endsAt: timestampFromDate(decision.endsAt),
                extended: decision.extended,
              },
            },
          }),
          then: (after) => ({ bid: after.bidById(attempt.bidId) as AcceptedBid, state: after }),
        };
    }
  });
}
