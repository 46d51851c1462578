import { minimumNextBid, type AcceptedBid, type Amount, type LotState } from "@gavel/lot-events";

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
