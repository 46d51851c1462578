/**
 * Bids over the push gateway's WebSocket, the page's way: every bidder a user with a
 * socket of their own (socket-bidder.ts), each bid a `bid` message the gateway forwards
 * to bidding. The lots are listed at the catalog directly (no edge in this stack). The
 * gateway's per-socket message rate is lifted: a closed loop sends as fast as answers
 * come. With tracing on, every bid message carries a fresh `traceparent`.
 */
import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { Market, type RestLot } from "@gavel/load";
import { CatalogService, LotDraftSchema } from "@gavel/proto/catalog/v1/catalog";
import { authHeader, connectClient } from "@gavel/testing";
import { benchLot, type BidPath } from "./bid-stack.ts";
import { SocketBidder } from "./socket-bidder.ts";

export const wsBidPath: BidPath = {
  description: "Bids over the push gateway's WebSocket (bid messages on /ws)",
  async startFront({ options, bidding, catalog, start }) {
    const push = await start("push", {
      GAVEL_BIDDING_URL: bidding.rpcUrl,
      GAVEL_PUSH_MESSAGES_PER_SECOND: "10000",
    });
    const [seller, ...users] = options.users;
    const traceparent = options.tracing === "on";
    const bidders: SocketBidder[] = [];
    try {
      for (const u of users)
        bidders.push(await SocketBidder.open(push.rpcUrl, u.id, u.token, { traceparent }));
    } catch (err) {
      bidders.forEach((b) => b.close());
      throw err;
    }
    const lotsAtCatalog = connectClient(CatalogService, catalog.rpcUrl);
    return {
      async newLots(count) {
        const lots: RestLot[] = [];
        for (let i = 0; i < count; i++) {
          const { title, startingPrice, endsAtMs } = benchLot(i);
          const draft = create(LotDraftSchema, {
            title,
            startingPrice: {
              currencyCode: startingPrice.currency,
              amountMinor: BigInt(startingPrice.amountMinor),
            },
            endsAt: timestampFromMs(endsAtMs),
          });
          const { lot } = await lotsAtCatalog.createLot({ lot: draft }, authHeader(seller!.token));
          lots.push({
            id: lot!.id,
            title,
            status: "open",
            starting_price: {
              currency: startingPrice.currency,
              amount_minor: startingPrice.amountMinor,
            },
            highest_bid: null,
            ends_at: new Date(endsAtMs).toISOString(),
          });
        }
        return lots;
      },
      market: (lots) => new Market(bidders, lots),
      close: () => bidders.forEach((b) => b.close()),
    };
  },
};
