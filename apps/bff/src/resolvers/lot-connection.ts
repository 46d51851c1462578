import type { LotOrder, LotStatus } from "../gen/resolvers-types.ts";
import type { GraphQLContext } from "../context.ts";
import { protoOrder, protoStatus } from "../lot-status.ts";
import { connection, pageRequest } from "../page-cursor.ts";
import { onBehalfOf } from "../upstream.ts";

/** ListLots allows at most this many per page. */
const MAX_LOTS = 100;

export interface LotQuery {
  status?: LotStatus | null;
  sellerId?: string | null;
  winnerId?: string | null;
  order?: LotOrder | null;
}

/** A page of lots as a Relay connection; what it read primes the lot loader. */
export async function lotConnection(
  ctx: GraphQLContext,
  query: LotQuery,
  first: number | null | undefined,
  after: string | null | undefined,
) {
  const request = pageRequest(first, after, MAX_LOTS);
  const page = await ctx.upstream.catalog.listLots(
    {
      status: protoStatus(query.status),
      sellerId: query.sellerId ?? "",
      winnerId: query.winnerId ?? "",
      order: protoOrder(query.order),
      pageSize: request.pageSize,
      pageToken: request.pageToken,
    },
    onBehalfOf(ctx.scope),
  );
  for (const lot of page.lots) ctx.loaders.lots.prime(lot.id, lot);
  return { ...connection(request, page.lots, page.nextPageToken), totalCount: page.totalSize };
}
