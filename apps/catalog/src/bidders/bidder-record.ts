import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { toMoney, type AcceptedBid, type LotState } from "@gavel/lot-events";
import { BidderRecordSchema, type BidderRecord, type Lot } from "@gavel/proto/catalog/v1/catalog";

/**
 * One bidder's part in a lot as of the state's version, from the lot's accepted bids
 * (a scan: O(bids), and a hot lot's bids are already in memory); undefined when they
 * never bid on it.
 */
export function bidderRecord(state: LotState, bidderId: string): BidderRecord | undefined {
  let count = 0;
  let highest: AcceptedBid | undefined;
  let latest: AcceptedBid | undefined;
  for (const bid of state.bids) {
    if (bid.bidderId !== bidderId) continue;
    count++;
    if (!highest || bid.amount.minor > highest.amount.minor) highest = bid;
    if (!latest || bid.sequence > latest.sequence) latest = bid;
  }
  if (!highest || !latest) return undefined;
  return create(BidderRecordSchema, {
    highestOwnBid: toMoney(highest.amount),
    ownBidCount: count,
    lastBidAt: timestampFromDate(latest.placedAt),
    version: BigInt(state.version),
  });
}

/**
 * Whether the lot's highest bid is the bidder's. Accepted bids strictly increase, so
 * an equal amount is the same bid, and the answer is right as of the lot it is shown
 * with. The record is written after the lot: while it lags (milliseconds), a bidder
 * whose newest bid leads shows as not leading.
 */
export function isLeading(record: BidderRecord, lot: Lot): boolean {
  const own = record.highestOwnBid;
  const top = lot.highestBid;
  return (
    own !== undefined &&
    top !== undefined &&
    own.currencyCode === top.currencyCode &&
    own.amountMinor === top.amountMinor
  );
}
