import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { authHeader, expectHostileRpcSurvived, mintToken } from "@gavel/testing";
import { listLot, startBiddingStack, type BiddingStack } from "./bidding-stack.ts";

/**
 * Hostile input straight to bidding's RPC port, on every kind of method it serves: unary
 * (PlaceBid and the reads), server streaming (WatchLot) and bidirectional (BidSession).
 * Each attack gets a proper Connect or gRPC refusal, never `internal`/`unknown`, and the
 * lot's state is still read correctly afterwards.
 */
let stack: BiddingStack;
let token: string;
let lotId: string;
beforeAll(async () => {
  stack = await startBiddingStack(inject("natsUrl"), 1, {}, { inspectFirst: true });
  token = await mintToken("hostile-tester");
  ({ lotId } = await listLot(stack));
});
afterAll(async () => expect(await stack.stop()).toEqual([0, 0]));

const paths = ["PlaceBid", "GetLotState", "ListBids", "WatchLot", "BidSession"].map(
  (method) => `/gavel.bidding.v1.BiddingService/${method}`,
);

describe("Connect and gRPC hostile input to bidding", () => {
  it("answers garbage, lying envelopes, oversize messages and gzip bombs with a proper code", async () => {
    const [client] = stack.biddingClients;
    const summary = await expectHostileRpcSurvived(stack.bidding[0]!, {
      paths,
      token,
      numRuns: 200,
      honest: async () => {
        const { state } = await client!.getLotState({ lotId }, authHeader(token));
        expect(state?.bidCount).toBe(0);
      },
    });
    console.info("hostile rpc bidding", summary);
  }, 180_000);
});
