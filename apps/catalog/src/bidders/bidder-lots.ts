import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { timestampMs } from "@bufbuild/protobuf/wkt";
import {
  BidderLotSchema,
  type ListBidderLotsResponseSchema,
} from "@gavel/proto/catalog/v1/catalog";
import type { BidderEntry, BidderIndex } from "./bidder-index.ts";
import { isLeading } from "./bidder-record.ts";
import type { LotIndex } from "../lots/lot-index.ts";
import { visibleTo } from "../lots/lot-view.ts";
import { latestFirst, pageOrRefuse, type Listing, type PageRequest } from "../api/page-token.ts";
import type { WatchIndex } from "../watches/watch-index.ts";

export interface BidderLotsDeps {
  index: LotIndex;
  bidders: BidderIndex;
  watches: WatchIndex;
}

/**
 * A page of the lots the user bid on, their most recent own bid first, each with the
 * user's part in it, from this replica's indexes.
 */
export function listBidderLots(
  deps: BidderLotsDeps,
  userId: string,
  req: PageRequest,
): MessageInitShape<typeof ListBidderLotsResponseSchema> {
  const lots = deps.index.withLots(deps.bidders.of(userId));
  const listing: Listing<BidderEntry> = {
    key: ["bidder-lots", userId],
    positionOf: ({ record, lotId }) => ({
      at: record.lastBidAt ? timestampMs(record.lastBidAt) : 0,
      id: lotId,
    }),
    compare: latestFirst,
  };
  const page = pageOrRefuse(listing, lots, req);
  return {
    lots: page.items.map(({ record, lot }) =>
      create(BidderLotSchema, {
        lot: visibleTo(lot, userId, deps.watches.count(lot.id)),
        highestOwnBid: record.highestOwnBid,
        ownBidCount: record.ownBidCount,
        lastBidAt: record.lastBidAt,
        leading: isLeading(record, lot),
      }),
    ),
    nextPageToken: page.nextPageToken,
    totalSize: lots.length,
  };
}
