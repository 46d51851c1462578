import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { mintToken } from "@gavel/testing";
import { BOTH_FEED_MODES, startPushStack, type PushStack } from "./push-stack.ts";
import { TestSocket } from "./ws-client.ts";

let stack: PushStack;
beforeAll(async () => {
  stack = await startPushStack(inject("natsUrl"), {}, BOTH_FEED_MODES);
});
afterAll(() => stack?.stop());

const sequences = (events: Array<{ seq: number }>) => events.map((e) => e.seq);

describe("fan-out across replicas", () => {
  it("delivers every bid to subscribers on both replicas, in stream order", async () => {
    const lotId = await stack.newLot();
    const channel = `lot:${lotId}`;
    const sockets = await Promise.all(
      [0, 1, 0, 1].map((i) => TestSocket.open(stack.replicas[i]!.rpcUrl)),
    );
    for (const socket of sockets) {
      expect(await socket.subscribe(channel)).toMatchObject({ type: "subscribed", channel });
    }
    const placed: number[] = [];
    for (let i = 0; i < 10; i++) {
      placed.push(await stack.bid(lotId, `bidder-${i % 3}`, 1000n + BigInt(i) * 100n));
    }
    for (const socket of sockets) {
      const events = await socket.waitForEvents(channel, 10);
      expect(sequences(events)).toEqual(placed);
      expect(events[0]).toMatchObject({
        event: "bid_accepted",
        data: { lotId, bidAccepted: { bidderId: "bidder-0", amount: { amountMinor: "1000" } } },
      });
      socket.close();
    }
  });

  // Replica a's feeds are per-channel, b's shared (BOTH_FEED_MODES): each way round.
  const handOvers = [
    { from: 0, to: 1, modes: "per-channel to shared" },
    { from: 1, to: 0, modes: "shared to per-channel" },
  ];
  it.each(handOvers)(
    "resumes on the other replica after the last sequence seen: no gap, no duplicate ($modes)",
    async ({ from, to }) => {
      const lotId = await stack.newLot();
      const channel = `lot:${lotId}`;
      const first = await TestSocket.open(stack.replicas[from]!.rpcUrl);
      await first.subscribe(channel);
      const before = [await stack.bid(lotId, "ann", 1000n), await stack.bid(lotId, "bob", 1100n)];
      await first.waitForEvents(channel, 2);
      first.close();
      const missed = [await stack.bid(lotId, "ann", 1200n), await stack.bid(lotId, "bob", 1300n)];

      const second = await TestSocket.open(stack.replicas[to]!.rpcUrl);
      expect(await second.subscribe(channel, before[1])).toMatchObject({ after: before[1] });
      const after = await stack.bid(lotId, "ann", 1400n);
      const events = await second.waitForEvents(channel, 3);
      expect(sequences(events)).toEqual([...missed, after]);
      second.close();
    },
  );

  const modes = BOTH_FEED_MODES.map((mode, replica) => ({ mode, replica }));
  it.each(modes)(
    "replays a lot's whole history from after: 0, then goes live ($mode feeds)",
    async ({ replica }) => {
      const lotId = await stack.newLot();
      const history = [await stack.bid(lotId, "ann", 1000n), await stack.bid(lotId, "bob", 1100n)];
      const socket = await TestSocket.open(stack.replicas[replica]!.rpcUrl);
      await socket.subscribe(`lot:${lotId}`, 0);
      const live = await stack.bid(lotId, "ann", 1200n);
      const events = await socket.waitForEvents(`lot:${lotId}`, 4);
      expect(events[0]!.event).toBe("opened");
      expect(sequences(events.slice(1))).toEqual([...history, live]);
      socket.close();
    },
  );
});

describe("bids over the socket", () => {
  it("acks an accepted bid and refuses a low one, each with the client's id", async () => {
    const lotId = await stack.newLot();
    const userId = randomUUID();
    const socket = await TestSocket.open(stack.replicas[0]!.rpcUrl, {
      token: await mintToken(userId),
    });
    const bidId = randomUUID();
    const ack = await socket.request({
      type: "bid",
      lotId,
      bidId,
      amount: { currency: "EUR", amountMinor: "1500" },
    });
    expect(ack).toMatchObject({
      type: "ack",
      result: { bid: { bidId, bidderId: userId }, minimumNextBid: { amountMinor: "1600" } },
    });
    const low = await socket.request({
      type: "bid",
      lotId,
      bidId: randomUUID(),
      amount: { currency: "EUR", amountMinor: "1000" },
    });
    expect(low).toMatchObject({
      type: "error",
      code: "bid_refused",
      detail: { reason: "REASON_ALREADY_HIGHEST" },
    });
    socket.close();
  });

  it("refuses a bid from a socket without a token, and a malformed bid", async () => {
    const socket = await TestSocket.open(stack.replicas[1]!.rpcUrl);
    const anonymous = await socket.request({
      type: "bid",
      lotId: "lot",
      bidId: "b1",
      amount: { currency: "EUR", amountMinor: "1500" },
    });
    expect(anonymous).toMatchObject({ type: "error", code: "unauthenticated" });
    const malformed = await socket.request({ type: "bid", lotId: "lot", amount: "lots" });
    expect(malformed).toMatchObject({ type: "error", code: "invalid_message" });
    expect(String(malformed.message)).toMatch(/bidId|amount/);
    socket.close();
  });
});
