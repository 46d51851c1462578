import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { ServiceImpl } from "@connectrpc/connect";
import { optionalCaller, requireCaller } from "@gavel/auth";
import type { LotWriter } from "@gavel/lot-events";
import { isSafeToken } from "@gavel/nats";
import { FieldViolations, mapHandlerErrors } from "@gavel/service";
import { CatalogService, LotOrder, LotStatus, type Lot } from "@gavel/proto/catalog/v1/catalog";
import { LotEventSchema } from "@gavel/proto/lot/v1/lot_events";
import type { BidderIndex } from "../bidders/bidder-index.ts";
import { listBidderLots } from "../bidders/bidder-lots.ts";
import { RuleRefused, toConnectError } from "./catalog-errors.ts";
import { importLots } from "../lots/lot-import.ts";
import { createLot, type LotCreationDeps } from "../lots/lot-creation.ts";
import { lotListing, type LotIndex } from "../lots/lot-index.ts";
import { checkPageSize, pageOrRefuse } from "./page-token.ts";
import { decideCancel } from "../lots/lot-rules.ts";
import { visibleTo } from "../lots/lot-view.ts";
import type { WatchIndex } from "../watches/watch-index.ts";
import type { WatchStore } from "../watches/watch-store.ts";
import { addToWatchlist, listWatchlist, removeFromWatchlist } from "../watches/watchlist.ts";

const BATCH_MAX = 100;

export interface CatalogDeps extends LotCreationDeps {
  writer: LotWriter;
  index: LotIndex;
  watches: WatchIndex;
  watchStore: WatchStore;
  bidders: BidderIndex;
}

export function catalogService(deps: CatalogDeps): ServiceImpl<typeof CatalogService> {
  const { model, index, writer, watches } = deps;
  /** Every lot this service answers with, as the caller may see it. */
  const shown = (lot: Lot, callerId: string | undefined) =>
    visibleTo(lot, callerId, watches.count(lot.id));
  return mapHandlerErrors(
    CatalogService,
    {
      async createLot(req, ctx) {
        const caller = requireCaller(ctx);
        const lot = await createLot(deps, caller.userId, req.lot, req.requestId);
        return { lot: shown(lot, caller.userId) };
      },

      async getLot(req, ctx) {
        requireLotId(req.id, "id");
        return { lot: shown(await model.require(req.id), optionalCaller(ctx)?.userId) };
      },

      async batchGetLots(req, ctx) {
        const ids = [...new Set(req.ids)];
        const v = new FieldViolations();
        v.check(ids.length <= BATCH_MAX, "ids", `at most ${BATCH_MAX} ids per call`);
        v.check(ids.every(isSafeToken), "ids", "every id must be a lot id");
        v.throwIfAny();
        const me = optionalCaller(ctx)?.userId;
        const lots = await Promise.all(ids.map((id) => model.get(id)));
        return { lots: lots.filter((l): l is Lot => l !== undefined).map((l) => shown(l, me)) };
      },

      async listLots(req, ctx) {
        const v = new FieldViolations();
        checkPageSize(v, req.pageSize);
        v.check(Object.values(LotStatus).includes(req.status), "status", "is not a lot status");
        v.check(Object.values(LotOrder).includes(req.order), "order", "is not a lot order");
        v.check(req.sellerId === "" || isSafeToken(req.sellerId), "seller_id", "must be a user id");
        v.check(req.winnerId === "" || isSafeToken(req.winnerId), "winner_id", "must be a user id");
        v.throwIfAny();
        const query = {
          status: req.status,
          sellerId: req.sellerId,
          winnerId: req.winnerId,
          order: req.order,
        };
        const all = index.query(query);
        const page = pageOrRefuse(lotListing(query), all, req);
        const me = optionalCaller(ctx)?.userId;
        return {
          lots: page.items.map((l) => shown(l, me)),
          nextPageToken: page.nextPageToken,
          previousPageToken: page.previousPageToken,
          totalSize: all.length,
        };
      },

      async cancelLot(req, ctx) {
        const caller = requireCaller(ctx);
        requireLotId(req.id, "id");
        const v = new FieldViolations();
        // Characters (code points), as the lot rules and the REST edge's schema count them.
        v.check([...req.reason].length <= 500, "reason", "must be at most 500 characters");
        v.throwIfAny();
        await writer.write<void>(req.id, (state) => {
          if (state.phase === "cancelled" && state.sellerId === caller.userId)
            return { done: undefined };
          const decision = decideCancel(state, caller.userId, new Date());
          if (decision !== "cancel") throw new RuleRefused(decision);
          return {
            msgId: `cancel:${req.id}`,
            append: create(LotEventSchema, {
              lotId: req.id,
              occurredAt: timestampFromDate(new Date()),
              kind: { case: "cancelled", value: { reason: req.reason } },
            }),
            then: () => undefined,
          };
        });
        const lot = await model.refresh(req.id);
        return { lot: lot && shown(lot, caller.userId) };
      },

      async importLots(requests, ctx) {
        const caller = requireCaller(ctx);
        return importLots(deps, caller.userId, requests);
      },

      async addToWatchlist(req, ctx) {
        const caller = requireCaller(ctx);
        requireLotId(req.lotId, "lot_id");
        return { lot: await addToWatchlist(deps, caller.userId, req.lotId) };
      },

      async removeFromWatchlist(req, ctx) {
        const caller = requireCaller(ctx);
        requireLotId(req.lotId, "lot_id");
        return { lot: await removeFromWatchlist(deps, caller.userId, req.lotId) };
      },

      async listWatchlist(req, ctx) {
        return listWatchlist(deps, requireCaller(ctx).userId, req);
      },

      async listBidderLots(req, ctx) {
        return listBidderLots(deps, requireCaller(ctx).userId, req);
      },
    },
    toConnectError,
  );
}

function requireLotId(id: string, field: string): void {
  const v = new FieldViolations();
  v.check(isSafeToken(id), field, "must be a lot id");
  v.throwIfAny();
}
