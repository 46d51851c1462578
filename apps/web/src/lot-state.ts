import { compareMoney, fromProto, type Money, type ProtoMoney } from "./money.ts";
import type { LotPageData } from "./operations.ts";

export type LotStatus = "OPEN" | "CLOSED" | "CANCELLED";

export interface BidView {
  id: string;
  amount: Money;
  bidderId: string;
  placedAt: Date;
  /** This bid moved the lot's end (anti-sniping). */
  extended: boolean;
}

/** What the lot page shows; loaded over GraphQL, then moved on by the lot's events. */
export interface LotView {
  id: string;
  title: string;
  description: string;
  sellerId: string;
  status: LotStatus;
  startingPrice: Money;
  highestBid: Money | undefined;
  bidCount: number;
  endsAt: Date | undefined;
  snipeWindowSeconds: number;
  winnerId: string | undefined;
  /** Newest first. */
  bids: BidView[];
}

/** A `lot:<id>` event of the push protocol: `data` is a gavel.lot.v1.LotEvent as JSON. */
export interface LotEventFrame {
  seq: number;
  event: string;
  traceId?: string;
  data: {
    occurredAt?: string;
    bidAccepted?: {
      bidId: string;
      bidderId: string;
      amount: ProtoMoney;
      endsAt?: string;
      extended?: boolean;
    };
    closed?: { winnerId?: string; hammerPrice?: ProtoMoney };
    cancelled?: { reason?: string };
  };
}

const KEPT_BIDS = 50;

/** The lot as the page's GraphQL query answered it. */
export function lotViewOf(loaded: NonNullable<LotPageData["lot"]>): LotView {
  return {
    id: loaded.id,
    title: loaded.title,
    description: loaded.description,
    sellerId: loaded.seller.id,
    status: loaded.status,
    startingPrice: loaded.startingPrice,
    highestBid: loaded.highestBid ?? undefined,
    bidCount: loaded.bidCount,
    endsAt: loaded.endsAt ? new Date(loaded.endsAt) : undefined,
    snipeWindowSeconds: loaded.snipeWindowSeconds,
    winnerId: loaded.winner?.id,
    bids: loaded.bids.edges.map(({ node }) => ({
      id: node.id,
      amount: node.amount,
      bidderId: node.bidder.id,
      placedAt: new Date(node.placedAt ?? Date.now()),
      extended: node.extendedLot,
    })),
  };
}

/**
 * Applies one event. Idempotent and order-tolerant where it matters: accepted bids only
 * ever rise, so a bid at or below the highest one is already reflected (it came with the
 * page's query, or a resume replayed it) and changes nothing.
 */
export function applyLotEvent(lot: LotView, frame: LotEventFrame): LotView {
  const { bidAccepted, closed, cancelled } = frame.data;
  if (bidAccepted) {
    const amount = fromProto(bidAccepted.amount);
    if (lot.highestBid && compareMoney(amount, lot.highestBid) <= 0) return lot;
    const endsAt = bidAccepted.endsAt ? new Date(bidAccepted.endsAt) : lot.endsAt;
    const bid: BidView = {
      id: bidAccepted.bidId,
      amount,
      bidderId: bidAccepted.bidderId,
      placedAt: new Date(frame.data.occurredAt ?? Date.now()),
      extended: bidAccepted.extended ?? false,
    };
    return {
      ...lot,
      highestBid: amount,
      bidCount: lot.bidCount + 1,
      endsAt: later(lot.endsAt, endsAt),
      bids: [bid, ...lot.bids].slice(0, KEPT_BIDS),
    };
  }
  if (closed) return { ...lot, status: "CLOSED", winnerId: closed.winnerId || undefined };
  if (cancelled) return { ...lot, status: "CANCELLED" };
  return lot;
}

const later = (a: Date | undefined, b: Date | undefined) =>
  a && b ? (a.getTime() >= b.getTime() ? a : b) : (a ?? b);

/** The smallest bid worth suggesting: the starting price, or a step above the highest. */
export function suggestedBid(lot: LotView): Money {
  if (!lot.highestBid) return lot.startingPrice;
  const highest = BigInt(lot.highestBid.amountMinor);
  const step = highest >= 100_00n ? 5_00n : 1_00n;
  return { currency: lot.highestBid.currency, amountMinor: (highest + step).toString() };
}
