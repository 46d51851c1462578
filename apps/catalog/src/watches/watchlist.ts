import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import {
  WatchedLotSchema,
  type ListWatchlistResponseSchema,
  type Lot,
} from "@gavel/proto/catalog/v1/catalog";
import { RuleRefused } from "../api/catalog-errors.ts";
import type { LotIndex } from "../lots/lot-index.ts";
import type { LotReadModel } from "../lots/lot-read-model.ts";
import { decideWatch } from "../lots/lot-rules.ts";
import { visibleTo } from "../lots/lot-view.ts";
import { latestFirst, pageOrRefuse, type Listing, type PageRequest } from "../api/page-token.ts";
import type { Watch, WatchIndex } from "./watch-index.ts";
import type { WatchStore } from "./watch-store.ts";

export interface WatchlistDeps {
  model: LotReadModel;
  index: LotIndex;
  watches: WatchIndex;
  watchStore: WatchStore;
}

/**
 * Watches an open lot. The lot is read from the read model rather than this replica's
 * index, so a lot created a moment ago elsewhere can be watched at once; the answer
 * counts the caller's watch even before the index has seen it.
 */
export async function addToWatchlist(
  deps: WatchlistDeps,
  userId: string,
  lotId: string,
  now = new Date(),
): Promise<Lot> {
  const lot = await deps.model.require(lotId);
  const decision = decideWatch(lot, now);
  if (decision !== "watch") throw new RuleRefused(decision);
  await deps.watchStore.add(lotId, userId, now);
  return visibleTo(lot, userId, deps.watches.countWith(lotId, userId, true));
}

/** Stops watching a lot, whatever its status; fine for a lot that was not watched. */
export async function removeFromWatchlist(
  deps: WatchlistDeps,
  userId: string,
  lotId: string,
): Promise<Lot> {
  const lot = await deps.model.require(lotId);
  await deps.watchStore.remove(lotId, userId);
  return visibleTo(lot, userId, deps.watches.countWith(lotId, userId, false));
}

/** A page of the user's watches, most recently watched first, from this replica's indexes. */
export function listWatchlist(
  deps: WatchlistDeps,
  userId: string,
  req: PageRequest,
): MessageInitShape<typeof ListWatchlistResponseSchema> {
  const watched = deps.index.withLots(deps.watches.of(userId));
  const listing: Listing<Watch> = {
    key: ["watchlist", userId],
    positionOf: (watch) => ({ at: watch.watchedAt, id: watch.lotId }),
    compare: latestFirst,
  };
  const page = pageOrRefuse(listing, watched, req);
  return {
    watched: page.items.map(({ lot, watchedAt }) =>
      create(WatchedLotSchema, {
        lot: visibleTo(lot, userId, deps.watches.count(lot.id)),
        watchedSince: timestampFromMs(watchedAt),
      }),
    ),
    nextPageToken: page.nextPageToken,
    totalSize: watched.length,
  };
}
