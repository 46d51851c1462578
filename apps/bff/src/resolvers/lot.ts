import { timestampDate } from "@bufbuild/protobuf/wkt";
import { LotStatus } from "@gavel/proto/catalog/v1/catalog";
import type { LotResolvers } from "../gen/resolvers-types.ts";
import { graphQLStatus } from "../lot-status.ts";
import { connection, pageRequest } from "../page-cursor.ts";
import { onBehalfOf } from "../upstream.ts";
import { invoiceOf } from "./invoice.ts";
import { existingUser } from "./user.ts";

/** ListBids allows at most this many per page. */
const MAX_BIDS = 200;

export const Lot: LotResolvers = {
  seller: (lot, _args, ctx) => existingUser(ctx, lot.sellerId),
  status: (lot) => graphQLStatus(lot.status),
  startingPrice: (lot) => lot.startingPrice!,
  reservePrice: (lot) =>
    lot.reservePrice && lot.reservePrice.amountMinor > 0n ? lot.reservePrice : null,
  highestBid: (lot) => lot.highestBid ?? null,
  winner: (lot, _args, ctx) => (lot.winnerId ? existingUser(ctx, lot.winnerId) : null),
  createdAt: (lot) => (lot.createdAt ? timestampDate(lot.createdAt) : null),
  endsAt: (lot) => (lot.endsAt ? timestampDate(lot.endsAt) : null),
  timeLeftSeconds: (lot) => {
    if (lot.status !== LotStatus.OPEN || !lot.endsAt) return 0;
    return Math.max(0, Math.ceil((timestampDate(lot.endsAt).getTime() - Date.now()) / 1000));
  },
  bids: async (lot, { first, after }, ctx) => {
    const request = pageRequest(first, after, MAX_BIDS);
    const page = await ctx.upstream.bidding.listBids(
      { lotId: lot.id, pageSize: request.pageSize, pageToken: request.pageToken },
      onBehalfOf(ctx.scope),
    );
    return connection(request, page.bids, page.nextPageToken);
  },
  invoice: (lot, _args, ctx) => invoiceOf(lot, ctx),
};
