import type { AcceptedBid, Amount, LotState } from "@gavel/lot-events";

/**
 * The smallest raise over the current highest bid, by price band, in minor units of a
 * two-decimal currency: below 100.00 the next bid must add 1.00, and so on.
 */
export const INCREMENT_BANDS: ReadonlyArray<{ below: bigint; increment: bigint }> = [
  { below: 100_00n, increment: 1_00n },
  { below: 500_00n, increment: 5_00n },
  { below: 1_000_00n, increment: 10_00n },
  { below: 5_000_00n, increment: 25_00n },
  { below: 25_000_00n, increment: 100_00n },
];
export const TOP_INCREMENT = 250_00n;

export function incrementAbove(highest: bigint): bigint {
  return INCREMENT_BANDS.find((band) => highest < band.below)?.increment ?? TOP_INCREMENT;
}

export function minimumNextBid(state: LotState): Amount {
  const highest = state.highestBid;
  if (!highest) return state.startingPrice;
  return {
    currency: highest.amount.currency,
    minor: highest.amount.minor + incrementAbove(highest.amount.minor),
  };
}

export interface BidAttempt {
  bidId: string;
  bidderId: string;
  amount: Amount;
}

export type RejectionReason =
  | "too_low"
  | "ended"
  | "cancelled"
  | "already_highest"
  | "own_lot"
  | "currency_mismatch"
  | "bid_id_reused";

export type BidDecision =
  | { kind: "accept"; endsAt: Date; extended: boolean }
  /** The same bid was accepted before: answer with it again. */
  | { kind: "duplicate"; bid: AcceptedBid }
  | { kind: "reject"; reason: RejectionReason; minimum: Amount | undefined; endsAt: Date };

/**
 * Whether a bid is accepted on a lot in the given state at the given time, and what
 * it does to the end. Pure: the same state, bid and time give the same answer on
 * every replica; the append's expected version makes sure the state was current.
 */
export function decideBid(state: LotState, attempt: BidAttempt, now: Date): BidDecision {
  const reject = (reason: RejectionReason, minimum?: Amount): BidDecision => ({
    kind: "reject",
    reason,
    minimum,
    endsAt: state.endsAt,
  });
  const earlier = state.bidById(attempt.bidId);
  if (earlier) {
    const same =
      earlier.bidderId === attempt.bidderId && sameAmount(earlier.amount, attempt.amount);
    return same ? { kind: "duplicate", bid: earlier } : reject("bid_id_reused");
  }
  if (state.phase === "cancelled") return reject("cancelled");
  if (state.phase === "closed" || now.getTime() >= state.endsAt.getTime()) return reject("ended");
  if (attempt.bidderId === state.sellerId) return reject("own_lot");
  if (attempt.amount.currency !== state.startingPrice.currency)
    return reject("currency_mismatch", minimumNextBid(state));
  if (state.highestBid?.bidderId === attempt.bidderId)
    return reject("already_highest", minimumNextBid(state));
  const minimum = minimumNextBid(state);
  if (attempt.amount.minor < minimum.minor) return reject("too_low", minimum);

  const windowMs = state.snipeWindowSeconds * 1000;
  const extended = state.endsAt.getTime() - now.getTime() < windowMs;
  return {
    kind: "accept",
    extended,
    endsAt: extended ? new Date(now.getTime() + windowMs) : state.endsAt,
  };
}

export type CloseDecision =
  | { kind: "not_yet"; dueAt: Date }
  | { kind: "nothing_to_do" }
  | {
      kind: "close";
      winnerId: string;
      winningBid: AcceptedBid | undefined;
      reserveMet: boolean;
      bidCount: number;
      endedAt: Date;
    };

/** Whether a lot closes now, and how: sold to the highest bidder only if the reserve is met. */
export function decideClose(state: LotState, now: Date): CloseDecision {
  if (state.phase !== "open") return { kind: "nothing_to_do" };
  if (now.getTime() < state.endsAt.getTime()) return { kind: "not_yet", dueAt: state.endsAt };
  const highest = state.highestBid;
  const reserveMet = highest !== undefined && state.reserveMet;
  return {
    kind: "close",
    winnerId: reserveMet && highest ? highest.bidderId : "",
    winningBid: highest,
    reserveMet,
    bidCount: state.bids.length,
    endedAt: state.endsAt,
  };
}

function sameAmount(a: Amount, b: Amount): boolean {
  return a.currency === b.currency && a.minor === b.minor;
}
