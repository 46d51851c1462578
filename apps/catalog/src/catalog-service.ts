import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, type ServiceImpl } from "@connectrpc/connect";
import { optionalCaller, requireCaller } from "@gavel/auth";
import type { LotWriter } from "@gavel/lot-events";
import { isSafeToken } from "@gavel/nats";
import { FieldViolations, mapHandlerErrors } from "@gavel/service";
import { CatalogService, LotOrder, LotStatus, type Lot } from "@gavel/proto/catalog/v1/catalog";
import { LotEventSchema } from "@gavel/proto/lot/v1/lot_events";
import { CancelRefused, toConnectError } from "./catalog-errors.ts";
import { importLots } from "./lot-import.ts";
import { createLot, type LotCreationDeps } from "./lot-creation.ts";
import type { LotIndex } from "./lot-index.ts";
import { pageAt } from "./lot-page-token.ts";
import { decideCancel } from "./lot-rules.ts";
import { visibleTo } from "./lot-view.ts";

const BATCH_MAX = 100;
const PAGE_MAX = 100;
const PAGE_DEFAULT = 20;

export interface CatalogDeps extends LotCreationDeps {
  writer: LotWriter;
  index: LotIndex;
}

export function catalogService(deps: CatalogDeps): ServiceImpl<typeof CatalogService> {
  const { model, index, writer } = deps;
  return mapHandlerErrors(
    CatalogService,
    {
      async createLot(req, ctx) {
        const caller = requireCaller(ctx);
        return { lot: await createLot(deps, caller.userId, req.lot, req.requestId) };
      },

      async getLot(req, ctx) {
        requireLotId(req.id, "id");
        const lot = await model.get(req.id);
        if (!lot) throw new ConnectError(`no lot with id ${req.id}`, Code.NotFound);
        return { lot: visibleTo(lot, optionalCaller(ctx)?.userId) };
      },

      async batchGetLots(req, ctx) {
        const ids = [...new Set(req.ids)];
        const v = new FieldViolations();
        v.check(ids.length <= BATCH_MAX, "ids", `at most ${BATCH_MAX} ids per call`);
        v.check(ids.every(isSafeToken), "ids", "every id must be a lot id");
        v.throwIfAny();
        const me = optionalCaller(ctx)?.userId;
        const lots = await Promise.all(ids.map((id) => model.get(id)));
        return { lots: lots.filter((l): l is Lot => l !== undefined).map((l) => visibleTo(l, me)) };
      },

      async listLots(req, ctx) {
        const v = new FieldViolations();
        v.check(
          req.pageSize >= 0 && req.pageSize <= PAGE_MAX,
          "page_size",
          `must be 0 to ${PAGE_MAX}`,
        );
        v.check(Object.values(LotStatus).includes(req.status), "status", "is not a lot status");
        v.check(Object.values(LotOrder).includes(req.order), "order", "is not a lot order");
        v.check(req.sellerId === "" || isSafeToken(req.sellerId), "seller_id", "must be a user id");
        v.throwIfAny();
        const query = { status: req.status, sellerId: req.sellerId, order: req.order };
        const all = index.query(query);
        const page = pageAt(query, req.pageToken, all, req.pageSize || PAGE_DEFAULT);
        if (!page) {
          v.add("page_token", "is not a token for this filter and order; start again without one");
          v.throwIfAny();
        }
        const me = optionalCaller(ctx)?.userId;
        return {
          lots: page!.lots.map((l) => visibleTo(l, me)),
          nextPageToken: page!.nextPageToken,
          previousPageToken: page!.previousPageToken,
          totalSize: all.length,
        };
      },

      async cancelLot(req, ctx) {
        const caller = requireCaller(ctx);
        requireLotId(req.id, "id");
        const v = new FieldViolations();
        v.check(req.reason.length <= 500, "reason", "must be at most 500 characters");
        v.throwIfAny();
        await writer.write<void>(req.id, (state) => {
          if (state.phase === "cancelled" && state.sellerId === caller.userId)
            return { done: undefined };
          const decision = decideCancel(state, caller.userId, new Date());
          if (decision !== "cancel") throw new CancelRefused(decision);
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
        return { lot: lot && visibleTo(lot, caller.userId) };
      },

      async importLots(requests, ctx) {
        const caller = requireCaller(ctx);
        return importLots(deps, caller.userId, requests);
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
