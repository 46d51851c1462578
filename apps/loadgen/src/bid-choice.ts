import type { RestLot, RestMoney } from "./edge-client.ts";

/**
 * What a simulated bidder offers: the minimum the API last named for the lot when there
 * is one (it knows better), the starting price on a lot without bids, else a step or a
 * few above the highest bid, like people who round up. `random` is injectable for tests.
 */
export function nextBid(
  lot: RestLot,
  minimum?: RestMoney,
  random: () => number = Math.random,
): RestMoney {
  // Only the two input fields: the API's money also carries a display `amount`.
  const money = (m: RestMoney) => ({ currency: m.currency, amount_minor: m.amount_minor });
  if (minimum) return money(minimum);
  if (!lot.highest_bid) return money(lot.starting_price);
  const highest = lot.highest_bid.amount_minor;
  const step = highest >= 100_00 ? 5_00 : 1_00;
  const steps = 1 + Math.floor(random() * 3);
  return { currency: lot.highest_bid.currency, amount_minor: highest + step * steps };
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
