import { Code } from "@connectrpc/connect";
import { BiddingService, FollowEnded_Reason } from "@gavel/proto/bidding/v1/bidding";
import { connectClient, startService, type ServiceProcess } from "@gavel/testing";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { randomUUID } from "node:crypto";
import { bidder, eur, listLot, startBiddingStack, type BiddingStack } from "./bidding-stack.ts";
import { openSession, openStalledSession, repliesOf } from "./session-client.ts";

/** The stack's replica lets a session follow this many lots at once. */
const MAX_FOLLOWS = 3;

let stack: BiddingStack;
let client: BiddingStack["biddingClients"][number];

beforeAll(async () => {
  stack = await startBiddingStack(inject("natsUrl"), 1, {
    GAVEL_BID_SESSION_MAX_FOLLOWS: String(MAX_FOLLOWS),
  });
  client = stack.biddingClients[0]!;
});

afterAll(async () => {
  expect(await stack.stop()).toEqual([0, 0]);
});

describe("a bid session's limits", () => {
  it("refuses a follow past the limit in the stream, and takes it once one is unfollowed", async () => {
    const lots = await Promise.all(Array.from({ length: MAX_FOLLOWS + 1 }, () => listLot(stack)));
    const session = openSession(client, (await bidder()).options);
    for (const { lotId } of lots.slice(0, MAX_FOLLOWS)) session.follow(lotId);
    const extra = lots[MAX_FOLLOWS]!.lotId;
    session.follow(extra);
    expect(await session.next("followEnded")).toMatchObject({
      lotId: extra,
      reason: FollowEnded_Reason.TOO_MANY_FOLLOWS,
    });
    expect(repliesOf(session.received, "followStarted")).toHaveLength(MAX_FOLLOWS);
    session.unfollow(lots[0]!.lotId);
    session.follow(extra);
    expect((await session.next("followStarted")).lotId).toBe(extra);
    session.end();
    expect((await session.rest()).error).toBeUndefined();
  });
});

describe("a bid session on a replica that queues 4 messages per client", () => {
  let replica: ServiceProcess;

  beforeAll(async () => {
    replica = await startService("bidding", {
      ...stack.env,
      GAVEL_BID_SESSION_QUEUE_SIZE: "4",
      GAVEL_BID_SESSION_STALL_MS: "1000",
    });
  });

  it("paces a replay far longer than the queue to a client that reads, and sends it all", async () => {
    const { lotId } = await listLot(stack);
    for (let i = 1; i <= 30; i++)
      await client.placeBid(
        { lotId, bidId: randomUUID(), amount: eur(BigInt(i) * 10_00n) },
        (await bidder()).options,
      );
    const session = openSession(
      connectClient(BiddingService, replica.rpcUrl),
      (await bidder()).options,
    );
    session.follow(lotId);
    await session.next("followStarted");
    const sequences: bigint[] = [];
    while (sequences.length < 31) {
      sequences.push((await session.next("lotEvent")).sequence);
      await new Promise((resolve) => setTimeout(resolve, 20)); // a slow, steady reader
    }
    expect(sequences).toEqual([...sequences].sort((a, b) => (a < b ? -1 : 1)));
    expect(new Set(sequences).size).toBe(31); // the opening event and 30 bids, each once
    session.end();
    expect((await session.rest()).error).toBeUndefined();
  });

  afterAll(async () => {
    await replica.stop();
  });

  it("ends the call of a client that reads nothing for a second with RESOURCE_EXHAUSTED", async () => {
    // Each lot's opened event is ~20 KB: 20 of them are more than HTTP/2 lets through to a
    // client that does not read, then the queue fills and stays full.
    const description = "🔨".repeat(5000);
    const lots = await Promise.all(
      Array.from({ length: 20 }, () => listLot(stack, { description })),
    );
    const { options } = await bidder();
    const stalled = openStalledSession(
      replica.rpcUrl,
      options.headers,
      lots.map((l) => l.lotId),
    );
    await expect
      .poll(() => replica.logs.some((l) => String(l.msg).includes("client is not reading")), {
        timeout: 10_000,
      })
      .toBe(true);
    const { error } = await stalled.collect();
    expect(error?.code).toBe("resource_exhausted");
    expect(error?.message).toMatch(/follow each lot again .* after_sequence/);
    // The replica goes on serving sessions.
    const replicaClient = connectClient(BiddingService, replica.rpcUrl);
    const next = openSession(replicaClient, (await bidder()).options);
    next.follow(lots[0]!.lotId);
    expect((await next.next("followStarted")).lotId).toBe(lots[0]!.lotId);
    next.end();
    expect((await next.rest()).error).toBeUndefined();
  });

  it("ends open sessions with UNAVAILABLE on SIGTERM, then exits cleanly", async () => {
    const { lotId } = await listLot(stack);
    const session = openSession(
      connectClient(BiddingService, replica.rpcUrl),
      (await bidder()).options,
    );
    session.follow(lotId);
    await session.next("lotEvent");
    const ended = session.rest();
    expect(await replica.stop("SIGTERM")).toBe(0);
    expect((await ended).error?.code).toBe(Code.Unavailable);
  });
});
