import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { ConnectError } from "@connectrpc/connect";
import { BidRejection_Reason, BidRejectionSchema, LotPhase } from "@gavel/proto/bidding/v1/bidding";
import type { LotEvent } from "@gavel/proto/lot/v1/lot_events";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { bidder, eur, listLot, startBiddingStack, type BiddingStack } from "./bidding-stack.ts";

const BIDDERS = 20;
const BIDS_EACH = 25;

let stack: BiddingStack;

beforeAll(async () => {
  stack = await startBiddingStack(inject("natsUrl"), 2);
});

afterAll(async () => {
  expect(await stack.stop()).toEqual([0, 0, 0]);
});

interface Ack {
  bidId: string;
  bidderId: string;
  amount: bigint;
  sequence: bigint;
}

describe("two bidding replicas, one hot lot", () => {
  it("keep one order, one winner, every acknowledged bid once, and nothing after the close", async () => {
    const { lotId } = await listLot(stack, { endsInMs: 3000, snipeWindowSeconds: 1 });
    const bidders = await Promise.all(Array.from({ length: BIDDERS }, () => bidder()));
    const clients = stack.biddingClients;
    const acks = new Map<string, Ack>();
    const acceptedBy = [0, 0];
    let requests = 0;

    await Promise.all(
      bidders.map(async (b, bi) => {
        let minimum = 10_00n;
        for (let i = 0; i < BIDS_EACH; i++) {
          await sleep(Math.random() * 160);
          const bidId = randomUUID();
          const amount = minimum + BigInt(Math.floor(Math.random() * 3)) * 1_00n;
          // Every fifth bid goes to both replicas at once under one bid id, as a client
          // retrying on another replica would: it must count once.
          const targets = i % 5 === 0 ? [0, 1] : [(bi + i) % 2];
          const outcomes = await Promise.allSettled(
            targets.map((r) =>
              clients[r]!.placeBid({ lotId, bidId, amount: eur(amount) }, b.options),
            ),
          );
          requests += targets.length;
          outcomes.forEach((outcome, k) => {
            if (outcome.status === "fulfilled") {
              const { bid, state } = outcome.value;
              const earlier = acks.get(bidId);
              if (earlier) expect(bid!.sequence).toBe(earlier.sequence);
              acks.set(bidId, { bidId, bidderId: b.userId, amount, sequence: bid!.sequence });
              acceptedBy[targets[k]!]!++;
              minimum = state?.minimumNextBid?.amountMinor ?? minimum;
            } else {
              const err = ConnectError.from(outcome.reason);
              const rejection = err.findDetails(BidRejectionSchema)[0];
              expect(rejection, `unexpected error: ${err.message}`).toBeDefined();
              if (rejection?.minimumNextBid) minimum = rejection.minimumNextBid.amountMinor;
            }
          });
        }
      }),
    );
    expect(requests).toBeGreaterThanOrEqual(BIDDERS * BIDS_EACH);
    expect(acceptedBy[0]).toBeGreaterThan(0);
    expect(acceptedBy[1]).toBeGreaterThan(0);

    await expect
      .poll(async () => (await clients[0]!.getLotState({ lotId })).state?.phase, {
        timeout: 15_000,
        interval: 100,
      })
      .toBe(LotPhase.CLOSED);

    // Bids after the close, on both replicas, are all refused as ended.
    const late = await Promise.allSettled(
      bidders.map((b, i) =>
        clients[i % 2]!.placeBid(
          { lotId, bidId: randomUUID(), amount: eur(1_000_000_00n) },
          b.options,
        ),
      ),
    );
    for (const outcome of late) {
      expect(outcome.status).toBe("rejected");
      const reason = ConnectError.from((outcome as PromiseRejectedResult).reason).findDetails(
        BidRejectionSchema,
      )[0]?.reason;
      expect(reason).toBe(BidRejection_Reason.LOT_ENDED);
    }

    const events: Array<{ sequence: bigint; event: LotEvent }> = [];
    for await (const message of clients[1]!.watchLot({ lotId }))
      events.push({ sequence: message.sequence, event: message.event! });

    const kinds = events.map((e) => e.event.kind.case);
    expect(kinds[0]).toBe("opened");
    expect(kinds.filter((k) => k === "closed")).toHaveLength(1);
    expect(kinds.at(-1)).toBe("closed");

    const bids = events.flatMap((e) =>
      e.event.kind.case === "bidAccepted" ? [{ sequence: e.sequence, ...e.event.kind.value }] : [],
    );
    for (let i = 1; i < bids.length; i++) {
      expect(bids[i]!.amount!.amountMinor).toBeGreaterThan(bids[i - 1]!.amount!.amountMinor);
    }
    expect(new Set(bids.map((b) => b.bidId)).size).toBe(bids.length);
    expect(bids.length).toBe(acks.size);
    for (const ack of acks.values()) {
      const stored = bids.find((b) => b.bidId === ack.bidId);
      expect(stored, `acknowledged bid ${ack.bidId} is missing from the stream`).toBeDefined();
      expect([stored!.sequence, stored!.bidderId, stored!.amount!.amountMinor]).toEqual([
        ack.sequence,
        ack.bidderId,
        ack.amount,
      ]);
    }

    const closed = events.at(-1)!.event.kind;
    const highest = bids.at(-1)!;
    expect(
      closed.case === "closed" && [
        closed.value.winnerId,
        closed.value.hammerPrice?.amountMinor,
        closed.value.bidCount,
      ],
    ).toEqual([highest.bidderId, highest.amount!.amountMinor, bids.length]);
    console.log(
      `${requests} bid requests, ${acks.size} accepted (${acceptedBy.join(" + ")} by replica), ${events.length} events`,
    );
    const closeLogs = stack.bidding
      .flatMap((p) => p.logs)
      .filter((l) => l.msg === "lot closed" && l.lot_id === lotId);
    expect(closeLogs).toHaveLength(1);
  });
});
