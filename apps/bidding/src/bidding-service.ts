import { ConnectError, type ServiceImpl } from "@connectrpc/connect";
import { requireCaller } from "@gavel/auth";
import { LotNotFoundError, type LotStateStore } from "@gavel/lot-events";
import { isSafeToken } from "@gavel/nats";
import { FieldViolations, mapHandlerErrors } from "@gavel/service";
import { BiddingService } from "@gavel/proto/bidding/v1/bidding";
import { toConnectError } from "./bid-error-codes.ts";
import { placeRequestedBid } from "./bid-request.ts";
import { bidSession, type BidSessionDeps } from "./bid-session.ts";
import { bidView, lotStateView } from "./bidding-messages.ts";
import { decodeBidPageToken, encodeBidPageToken } from "./bid-page-token.ts";

export type BiddingDeps = BidSessionDeps;

export function biddingService(deps: BiddingDeps): ServiceImpl<typeof BiddingService> {
  const { writer, store, stream } = deps;
  return mapHandlerErrors(
    BiddingService,
    {
      async placeBid(req, ctx) {
        return placeRequestedBid(writer, requireCaller(ctx).userId, req);
      },

      async getLotState(req) {
        const state = await loadExisting(store, req.lotId);
        return { state: lotStateView(state) };
      },

      async listBids(req) {
        const v = new FieldViolations();
        v.check(isSafeToken(req.lotId), "lot_id", "must be a lot id");
        v.check(req.pageSize >= 0 && req.pageSize <= 200, "page_size", "must be 0 to 200");
        const before = decodeBidPageToken(req.pageToken);
        v.check(before !== undefined, "page_token", "is not a token this service gave out");
        v.throwIfAny();
        const state = await loadExisting(store, req.lotId);
        const size = req.pageSize || 50;
        const older = state.bids.filter((b) => b.sequence < before!).reverse();
        const page = older.slice(0, size);
        const last = page.at(-1);
        return {
          bids: page.map((b) => bidView(req.lotId, b)),
          nextPageToken: older.length > size && last ? encodeBidPageToken(last.sequence) : "",
          version: BigInt(state.version),
        };
      },

      async *watchLot(req, ctx) {
        await loadExisting(store, req.lotId);
        for await (const stored of stream.watch(req.lotId, Number(req.afterSequence), ctx.signal)) {
          yield { sequence: BigInt(stored.sequence), event: stored.event };
          const kind = stored.event.kind.case;
          if (kind === "closed" || kind === "cancelled") return;
        }
        // The watch only stops early when the call was aborted: by the client going away,
        // or by a shutdown, whose reason (UNAVAILABLE) tells the client to reconnect.
        if (ctx.signal.aborted) throw ConnectError.from(ctx.signal.reason);
      },

      bidSession(requests, ctx) {
        return bidSession(deps, requireCaller(ctx), requests, ctx.signal);
      },
    },
    toConnectError,
  );
}

async function loadExisting(store: LotStateStore, lotId: string) {
  const v = new FieldViolations();
  v.check(isSafeToken(lotId), "lot_id", "must be a lot id");
  v.throwIfAny();
  const state = await store.load(lotId);
  if (!state) throw new LotNotFoundError(lotId);
  return state;
}
