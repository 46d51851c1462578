/**
 * Bids through the REST edge: the load generator's keep-alive client and users, each bid
 * a `POST /v1/lots/{id}/bids`; a 409 is a refusal. The edge's rate limits are lifted: one
 * client host and a few dozen users would otherwise be refused.
 */
import { randomUUID } from "node:crypto";
import { EdgeHttp, Market, UserClient } from "@gavel/load";
import { benchLot, type BidPath } from "./bid-stack.ts";

export const restBidPath: BidPath = {
  description: "Bids through the REST edge (POST /v1/lots/{id}/bids)",
  async startFront({ options, catalog, bidding, start }) {
    const edge = await start("edge", {
      GAVEL_CATALOG_URL: catalog.rpcUrl,
      GAVEL_BIDDING_URL: bidding.rpcUrl,
      GAVEL_RATE_LIMIT_PER_IP: "1000000",
      GAVEL_RATE_LIMIT_PER_USER: "1000000",
    });
    const http = new EdgeHttp(edge.rpcUrl, options.concurrency);
    const [seller, ...bidders] = options.users.map((u) => new UserClient(http, u.id, u.token));
    return {
      async newLots(count) {
        const lots = [];
        for (let i = 0; i < count; i++) {
          const { title, startingPrice, endsAtMs } = benchLot(i);
          const draft = {
            title,
            starting_price: {
              currency: startingPrice.currency,
              amount_minor: startingPrice.amountMinor,
            },
            ends_at: new Date(endsAtMs).toISOString(),
          };
          lots.push(await seller!.createLot(draft, randomUUID()));
        }
        return lots;
      },
      market: (lots) => new Market(bidders, lots),
      close: () => http.close(),
    };
  },
};
