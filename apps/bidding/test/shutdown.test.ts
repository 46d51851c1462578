import { randomUUID } from "node:crypto";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcWebTransport } from "@connectrpc/connect-node";
import { BiddingService } from "@gavel/proto/bidding/v1/bidding";
import { connectClient, startService } from "@gavel/testing";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { bidder, eur, listLot, startBiddingStack, type BiddingStack } from "./bidding-stack.ts";

let stack: BiddingStack;

beforeAll(async () => {
  stack = await startBiddingStack(inject("natsUrl"));
});

afterAll(async () => {
  await stack.stop();
});

describe("protocols and shutdown", () => {
  it("serves gRPC-Web as well as Connect and gRPC", async () => {
    const { lotId } = await listLot(stack);
    const transport = createGrpcWebTransport({
      baseUrl: stack.bidding[0]!.rpcUrl,
      httpVersion: "2",
    });
    const { state } = await createClient(BiddingService, transport).getLotState({ lotId });
    expect(state?.lotId).toBe(lotId);
  });

  it("on SIGTERM ends open watch streams with UNAVAILABLE, then exits cleanly", async () => {
    const replica = await startService("bidding", stack.env);
    const client = connectClient(BiddingService, replica.rpcUrl);
    const { lotId } = await listLot(stack);
    await client.placeBid(
      { lotId, bidId: randomUUID(), amount: eur(10_00n) },
      (await bidder()).options,
    );

    const received: bigint[] = [];
    const watching = (async () => {
      for await (const message of client.watchLot({ lotId })) received.push(message.sequence);
    })().then(
      () => undefined,
      (err: unknown) => ConnectError.from(err),
    );
    await expect.poll(() => received.length).toBe(2); // opened, and the bid
    expect(await replica.stop("SIGTERM")).toBe(0);
    const ended = await watching;
    expect(ended?.code).toBe(Code.Unavailable);
    expect(replica.logs.some((l) => l.msg === "stopped")).toBe(true);
  });
});
