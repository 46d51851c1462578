import { incrementAbove } from "@gavel/lot-events/bid-increments";
import type { RestLot, RestMoney } from "./edge-client.ts";

/**
 * What a simulated bidder offers: the lowest valid amount it knows of (the minimum the API
 * named when it last refused a bid, else one increment over the highest bid, else the
 * starting price), plus zero to three more increments, like people who round up. The spread also keeps
 * concurrent bidders from all offering the same amount, so most bids are real raises.
 * `random` is injectable for tests.
 */
export function nextBid(
  lot: RestLot,
  minimum?: RestMoney,
  random: () => number = Math.random,
): RestMoney {
  const highest = lot.highest_bid?.amount_minor;
  // The auction's published increment table, the one bidding enforces.
  const step = Number(
    incrementAbove(BigInt(minimum?.amount_minor ?? highest ?? lot.starting_price.amount_minor)),
  );
  // Only the two input fields: the API's money also carries a display `amount`.
  const lowest: RestMoney = minimum
    ? { currency: minimum.currency, amount_minor: minimum.amount_minor }
    : lot.highest_bid
      ? { currency: lot.highest_bid.currency, amount_minor: highest! + step }
      : { currency: lot.starting_price.currency, amount_minor: lot.starting_price.amount_minor };
  return { ...lowest, amount_minor: lowest.amount_minor + step * Math.floor(random() * 4) };
}

/** A random element, or undefined for an empty list. */
export const pick = <T>(items: readonly T[], random: () => number = Math.random): T | undefined =>
  items[Math.floor(random() * items.length)];

/** Titles for the demo lots, cycled. */
export const LOT_TITLES = [
  "Art deco table lamp",
  "Pair of Victorian brass candlesticks",
  "Signed first-edition novel",
  "Mid-century teak sideboard",
  "Vintage film camera with two lenses",
  "Hand-woven wool rug",
  "Antique pocket watch",
  "Set of six crystal wine glasses",
  "Cast-iron garden bench",
  "Porcelain tea service for four",
];
