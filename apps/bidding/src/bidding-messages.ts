import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import {
  minimumNextBid,
  toMoney,
  type AcceptedBid,
  type LotState as DomainLotState,
} from "@gavel/lot-events";
import {
  BidSchema,
  LotPhase,
  LotStateSchema,
  type Bid,
  type LotState,
} from "@gavel/proto/bidding/v1/bidding";

const PHASES = {
  open: LotPhase.OPEN,
  closed: LotPhase.CLOSED,
  cancelled: LotPhase.CANCELLED,
} as const;

export function bidView(lotId: string, bid: AcceptedBid): Bid {
  return create(BidSchema, {
    bidId: bid.bidId,
    lotId,
    bidderId: bid.bidderId,
    amount: toMoney(bid.amount),
    placedAt: timestampFromDate(bid.placedAt),
    sequence: BigInt(bid.sequence),
    extendedLot: bid.extended,
  });
}

export function lotStateView(state: DomainLotState): LotState {
  const highest = state.highestBid;
  return create(LotStateSchema, {
    lotId: state.lotId,
    sellerId: state.sellerId,
    phase: PHASES[state.phase],
    endsAt: timestampFromDate(state.endsAt),
    ...(highest ? { highestBid: bidView(state.lotId, highest) } : {}),
    bidCount: state.bids.length,
    ...(state.phase === "open" ? { minimumNextBid: toMoney(minimumNextBid(state)) } : {}),
    reserveMet: highest !== undefined && state.reserveMet,
    winnerId: state.closed?.winnerId ?? "",
    version: BigInt(state.version),
    snipeWindowSeconds: state.snipeWindowSeconds,
  });
}
