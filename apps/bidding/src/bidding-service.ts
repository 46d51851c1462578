import { ConnectError, type ServiceImpl } from "@connectrpc/connect";
import { requireCaller } from "@gavel/auth";
import {
  isSupportedCurrency,
  LotNotFoundError,
  SUPPORTED_CURRENCIES,
  type LotStateStore,
  type LotStream,
  type LotWriter,
} from "@gavel/lot-events";
import { isSafeToken } from "@gavel/nats";
import { FieldViolations, mapHandlerErrors } from "@gavel/service";
import { BiddingService } from "@gavel/proto/bidding/v1/bidding";
import { toConnectError } from "./bid-error-codes.ts";
import { placeBid } from "./bid-placement.ts";
import { bidView, lotStateView } from "./lot-view.ts";
import { decodeBidPageToken, encodeBidPageToken } from "./page-token.ts";

/** 10 billion in a two-decimal currency: far above any real bid, far below overflow. */
const MAX_AMOUNT_MINOR = 1_000_000_000_000n;

export interface BiddingDeps {
  writer: LotWriter;
  store: LotStateStore;
  stream: LotStream;
}

export function biddingService({
  writer,
  store,
  stream,
}: BiddingDeps): ServiceImpl<typeof BiddingService> {
  return mapHandlerErrors(
    BiddingService,
    {
      async placeBid(req, ctx) {
        const caller = requireCaller(ctx);
        const v = new FieldViolations();
        v.check(isSafeToken(req.lotId), "lot_id", "must be a lot id");
        v.check(
          isSafeToken(req.bidId),
          "bid_id",
          "must be 1 to 64 of A-Z, a-z, 0-9, _ and - (a UUID works)",
        );
        if (v.check(req.amount !== undefined, "amount", "is required")) {
          const amount = req.amount!;
          v.check(
            isSupportedCurrency(amount.currencyCode),
            "amount.currency_code",
            `must be one of ${SUPPORTED_CURRENCIES.join(", ")}`,
          );
          v.check(
            amount.amountMinor > 0n && amount.amountMinor <= MAX_AMOUNT_MINOR,
            "amount.amount_minor",
            `must be a whole number of minor units from 1 to ${MAX_AMOUNT_MINOR}`,
          );
        }
        v.throwIfAny();
        const { bid, state } = await placeBid(writer, req.lotId, {
          bidId: req.bidId,
          bidderId: caller.userId,
          amount: { currency: req.amount!.currencyCode, minor: req.amount!.amountMinor },
        });
        return { bid: bidView(req.lotId, bid), state: lotStateView(state) };
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
