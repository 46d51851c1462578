import type { LotState } from "./lot-state.ts";
import type { Amount } from "./money.ts";

/**
 * The smallest raise over the current highest bid, by price band, in minor units of a
 * two-decimal currency: below 100.00 the next bid must add 1.00, and so on. Here rather
 * than in bidding's rules because more than one service states the minimum (bidding
 * enforces it, the notifier tells an outbid user what it is): one table, one answer.
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

/** The smallest bid that would lead over a highest bid of this amount. */
export function nextBidAbove(highest: Amount): Amount {
  return { currency: highest.currency, minor: highest.minor + incrementAbove(highest.minor) };
}

/** The smallest bid the lot accepts now: the starting price, then a raise on the highest. */
export function minimumNextBid(state: LotState): Amount {
  const highest = state.highestBid;
  return highest ? nextBidAbove(highest.amount) : state.startingPrice;
}
