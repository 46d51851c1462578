import { timestampDate } from "@bufbuild/protobuf/wkt";
import { InvoiceRole } from "@gavel/proto/settlement/v1/settlement";
import type { ViewerBidResolvers, ViewerResolvers } from "../gen/resolvers-types.ts";
import { connection, pageRequest } from "../page-cursor.ts";
import { onBehalfOf } from "../upstream.ts";
import { lotConnection } from "./lot-connection.ts";
import { existingUser } from "./user.ts";

/** ListWatchlist, ListBidderLots and ListInvoices allow at most this many per page. */
const MAX_PAGE = 100;

const INVOICE_ROLES = { BUYER: InvoiceRole.BUYER, SELLER: InvoiceRole.SELLER } as const;

/** The parent is the caller: every list is theirs, read with their token. */
export const Viewer: ViewerResolvers = {
  user: (caller, _args, ctx) => existingUser(ctx, caller.userId),
  lots: (caller, { status, first, after }, ctx) =>
    lotConnection(ctx, { status, sellerId: caller.userId }, first, after),
  wonLots: (caller, { first, after }, ctx) =>
    lotConnection(ctx, { winnerId: caller.userId }, first, after),

  watchedLots: async (_caller, { first, after }, ctx) => {
    const request = pageRequest(first, after, MAX_PAGE);
    const page = await ctx.upstream.catalog.listWatchlist(
      { pageSize: request.pageSize, pageToken: request.pageToken },
      onBehalfOf(ctx.scope),
    );
    const { edges, pageInfo } = connection(request, page.watched, page.nextPageToken);
    return {
      edges: edges.map(({ cursor, node }) => {
        ctx.loaders.lots.prime(node.lot!.id, node.lot!);
        return {
          cursor,
          node: node.lot!,
          watchedSince: node.watchedSince ? timestampDate(node.watchedSince) : null,
        };
      }),
      pageInfo,
      totalCount: page.totalSize,
    };
  },

  bids: async (_caller, { first, after }, ctx) => {
    const request = pageRequest(first, after, MAX_PAGE);
    const page = await ctx.upstream.catalog.listBidderLots(
      { pageSize: request.pageSize, pageToken: request.pageToken },
      onBehalfOf(ctx.scope),
    );
    for (const entry of page.lots) ctx.loaders.lots.prime(entry.lot!.id, entry.lot!);
    return { ...connection(request, page.lots, page.nextPageToken), totalCount: page.totalSize };
  },

  invoices: async (_caller, { role, first, after }, ctx) => {
    const request = pageRequest(first, after, MAX_PAGE);
    const page = await ctx.upstream.settlement.listInvoices(
      { role: INVOICE_ROLES[role], pageSize: request.pageSize, pageToken: request.pageToken },
      onBehalfOf(ctx.scope),
    );
    for (const invoice of page.invoices) ctx.loaders.invoices.prime(invoice.lotId, invoice);
    return connection(request, page.invoices, page.nextPageToken);
  },
};

export const ViewerBid: ViewerBidResolvers = {
  lot: (entry) => entry.lot!,
  highestOwnBid: (entry) => entry.highestOwnBid!,
  lastBidAt: (entry) => (entry.lastBidAt ? timestampDate(entry.lastBidAt) : null),
};
