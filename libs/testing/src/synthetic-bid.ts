import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { LotEventSchema, type LotEvent } from "@gavel/proto/lot/v1/lot_events";

export interface SyntheticBid {
  bidId: string;
  bidderId: string;
  /** In euro cents. */
  amountMinor: bigint;
  /** The lot's end after the bid, when the reader needs one. */
  endsAtMs?: number;
  /** When it happened (default now). */
  occurredAtMs?: number;
}

/**
 * A BidAccepted event as the bidding service appends it, for tests and benches that put
 * events straight onto a lot's subject: the push layer and its clients only relay them.
 */
export function syntheticBid(lotId: string, bid: SyntheticBid): LotEvent {
  return create(LotEventSchema, {
    lotId,
    occurredAt: timestampFromMs(bid.occurredAtMs ?? Date.now()),
    kind: {
      case: "bidAccepted",
      value: {
        bidId: bid.bidId,
        bidderId: bid.bidderId,
        amount: { currencyCode: "EUR", amountMinor: bid.amountMinor },
        ...(bid.endsAtMs === undefined ? {} : { endsAt: timestampFromMs(bid.endsAtMs) }),
      },
    },
  });
}
