import { randomUUID } from "node:crypto";
import { Code } from "@connectrpc/connect";
import {
  BidRejection_Reason,
  BiddingService,
  FollowEnded_Reason,
  LotPhase,
} from "@gavel/proto/bidding/v1/bidding";
import { authHeader, grpcClient, mintShortToken } from "@gavel/testing";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { bidder, eur, listLot, startBiddingStack, type BiddingStack } from "./bidding-stack.ts";
import { openSession, repliesOf } from "./session-client.ts";

let stack: BiddingStack;
let client: BiddingStack["biddingClients"][number];

beforeAll(async () => {
  stack = await startBiddingStack(inject("natsUrl"));
  client = stack.biddingClients[0]!;
});

afterAll(async () => {
  expect(await stack.stop()).toEqual([0, 0]);
});

/** A bid placed with the unary PlaceBid by a new bidder: someone else on the lot. */
async function otherBid(lotId: string, amountMinor: bigint) {
  const { bid } = await client.placeBid(
    { lotId, bidId: randomUUID(), amount: eur(amountMinor) },
    (await bidder()).options,
  );
  return bid!;
}

describe("a bid session: following lots", () => {
  it("acknowledges a follow with the lot's state, then sends its events", async () => {
    const { lotId, sellerId } = await listLot(stack);
    const first = await otherBid(lotId, 10_00n);
    const session = openSession(client, (await bidder()).options);
    session.follow(lotId);
    const started = await session.next("followStarted");
    expect(started.lotId).toBe(lotId);
    expect(started.state).toMatchObject({
      lotId,
      sellerId,
      phase: LotPhase.OPEN,
      bidCount: 1,
      version: first.sequence,
      minimumNextBid: { amountMinor: 11_00n },
    });
    const opened = await session.next("lotEvent");
    expect([opened.lotId, opened.event?.kind.case]).toEqual([lotId, "opened"]);
    const bid = await session.next("lotEvent");
    expect([bid.sequence, bid.event?.kind.case]).toEqual([first.sequence, "bidAccepted"]);
    session.end();
    expect((await session.rest()).error).toBeUndefined();
  });

  it("resumes after a sequence with nothing missed and nothing repeated", async () => {
    const { lotId } = await listLot(stack);
    const seen = await otherBid(lotId, 10_00n);
    const missed = [await otherBid(lotId, 11_00n), await otherBid(lotId, 12_00n)];
    const session = openSession(client, (await bidder()).options);
    session.follow(lotId, seen.sequence);
    await session.next("followStarted");
    const sequences = [
      (await session.next("lotEvent")).sequence,
      (await session.next("lotEvent")).sequence,
    ];
    const live = await otherBid(lotId, 13_00n);
    sequences.push((await session.next("lotEvent")).sequence);
    expect(sequences).toEqual([...missed, live].map((b) => b.sequence));
    session.end();
    const { messages, error } = await session.rest();
    expect(error).toBeUndefined();
    expect(repliesOf(messages, "lotEvent")).toEqual([]);
  });

  it("ends the follow of an unknown lot, and of a bad lot id, in the stream", async () => {
    const session = openSession(client, (await bidder()).options);
    const unknown = randomUUID();
    session.follow(unknown);
    expect(await session.next("followEnded")).toMatchObject({
      lotId: unknown,
      reason: FollowEnded_Reason.LOT_NOT_FOUND,
    });
    session.follow("gavel.lot.>");
    expect(await session.next("followEnded")).toMatchObject({
      lotId: "gavel.lot.>",
      reason: FollowEnded_Reason.INVALID_LOT_ID,
    });
    const { lotId } = await listLot(stack);
    session.follow(lotId);
    expect((await session.next("followStarted")).lotId).toBe(lotId);
    session.end();
    expect((await session.rest()).error).toBeUndefined();
  });

  it("sends no event of a lot after its unfollow is answered", async () => {
    const [left, kept] = [await listLot(stack), await listLot(stack)];
    const session = openSession(client, (await bidder()).options);
    session.follow(left.lotId);
    session.follow(kept.lotId);
    session.unfollow(left.lotId);
    expect(await session.next("followEnded")).toMatchObject({
      lotId: left.lotId,
      reason: FollowEnded_Reason.UNFOLLOWED,
    });
    const answeredAt = session.received.length;
    await otherBid(left.lotId, 10_00n);
    const marker = await otherBid(kept.lotId, 10_00n);
    await session.find("lotEvent", (e) => e.sequence === marker.sequence);
    const after = repliesOf(session.received.slice(answeredAt), "lotEvent");
    expect(new Set(after.map((e) => e.lotId))).toEqual(new Set([kept.lotId]));
    session.end();
    expect((await session.rest()).error).toBeUndefined();
  });

  it("ends a follow with the lot's close, after the closed event", async () => {
    const { lotId } = await listLot(stack, { endsInMs: 1500, snipeWindowSeconds: 1 });
    const session = openSession(client, (await bidder()).options);
    session.follow(lotId);
    const ended = await session.next("followEnded");
    expect(ended).toMatchObject({ lotId, reason: FollowEnded_Reason.LOT_CLOSED });
    const events = repliesOf(session.received, "lotEvent");
    expect(events.map((e) => e.event?.kind.case)).toEqual(["opened", "closed"]);
    session.end();
    expect((await session.rest()).error).toBeUndefined();
  });
});

describe("a bid session: bidding", () => {
  it("answers a bid with its outcome, and the lot's event of it comes too", async () => {
    const { lotId } = await listLot(stack);
    const ada = await bidder();
    const session = openSession(client, ada.options);
    session.follow(lotId);
    await session.next("followStarted");
    const bidId = randomUUID();
    session.bid(lotId, bidId, 10_00n);
    const accepted = await session.next("bidAccepted");
    expect(accepted.bid).toMatchObject({ bidId, lotId, bidderId: ada.userId });
    expect(accepted.state?.version).toBe(accepted.bid?.sequence);
    // The outcome and the event come in either order: each is awaited where it may be.
    await session.find("lotEvent", (e) => e.sequence === accepted.bid!.sequence);
    const bidEvents = repliesOf(session.received, "lotEvent").filter(
      (e) => e.event?.kind.case === "bidAccepted",
    );
    expect(bidEvents.map((e) => e.sequence)).toEqual([accepted.bid!.sequence]);
    session.end();
    expect((await session.rest()).error).toBeUndefined();
  });

  it("shows one session's bid to another session following the same lot", async () => {
    const { lotId } = await listLot(stack);
    const watcher = openSession(client, (await bidder()).options);
    watcher.follow(lotId);
    await watcher.next("followStarted");
    const placer = openSession(client, (await bidder()).options);
    const bidId = randomUUID();
    placer.bid(lotId, bidId, 12_00n);
    const accepted = await placer.next("bidAccepted");
    const seen = await watcher.next("lotEvent", (e) => e.event?.kind.case === "bidAccepted");
    expect(seen.sequence).toBe(accepted.bid!.sequence);
    expect(seen.event?.kind.value).toMatchObject({ bidId, amount: { amountMinor: 12_00n } });
    for (const s of [watcher, placer]) {
      s.end();
      expect((await s.rest()).error).toBeUndefined();
    }
  });

  it("refuses a too-low bid as a message and goes on", async () => {
    const { lotId } = await listLot(stack);
    await otherBid(lotId, 20_00n);
    const session = openSession(client, (await bidder()).options);
    const low = randomUUID();
    session.bid(lotId, low, 20_50n);
    const refused = await session.next("bidRefused");
    expect(refused).toMatchObject({
      bidId: low,
      lotId,
      code: "failed_precondition",
      rejection: { reason: BidRejection_Reason.TOO_LOW, minimumNextBid: { amountMinor: 21_00n } },
    });
    const good = randomUUID();
    session.bid(lotId, good, 21_00n);
    expect((await session.next("bidAccepted")).bid?.bidId).toBe(good);
    session.end();
    expect((await session.rest()).error).toBeUndefined();
  });

  it("answers invalid requests with replies, not by ending the call", async () => {
    const { lotId } = await listLot(stack);
    const session = openSession(client, (await bidder()).options);
    session.bid(lotId, "not a bid id!", 10_00n);
    const badId = await session.next("bidRefused");
    expect(badId).toMatchObject({ code: "invalid_argument", lotId });
    expect(badId.fieldViolations.map((v) => v.field)).toEqual(["bid_id"]);
    session.bid(randomUUID(), "b1", 10_00n);
    expect(await session.next("bidRefused")).toMatchObject({ code: "not_found", bidId: "b1" });
    session.send({});
    expect(await session.next("requestRefused")).toMatchObject({ code: "invalid_argument" });
    const bidId = randomUUID();
    session.bid(lotId, bidId, 10_00n);
    expect((await session.next("bidAccepted")).bid?.bidId).toBe(bidId);
    session.end();
    expect((await session.rest()).error).toBeUndefined();
    expect((await client.getLotState({ lotId })).state?.bidCount).toBe(1);
  });

  it("on the client's half-close, answers the bids sent and ends with OK", async () => {
    const { lotId } = await listLot(stack);
    const session = openSession(client, (await bidder()).options);
    const bidIds = [randomUUID(), randomUUID()];
    session.follow(lotId);
    session.bid(lotId, bidIds[0]!, 10_00n);
    session.bid(lotId, bidIds[1]!, 99_00n); // already the highest: refused, in order
    session.end();
    const { messages, error } = await session.rest();
    expect(error).toBeUndefined();
    const outcomes = messages.filter(
      (m) => m.kind.case === "bidAccepted" || m.kind.case === "bidRefused",
    );
    expect(outcomes.map((m) => m.kind.case)).toEqual(["bidAccepted", "bidRefused"]);
    expect(repliesOf(messages, "bidRefused")[0]?.rejection?.reason).toBe(
      BidRejection_Reason.ALREADY_HIGHEST,
    );
    expect((await client.getLotState({ lotId })).state?.bidCount).toBe(1);
  });

  it("refuses a call without a token with UNAUTHENTICATED", async () => {
    const session = openSession(client);
    session.follow(randomUUID());
    const { messages, error } = await session.rest();
    expect(error?.code).toBe(Code.Unauthenticated);
    expect(messages).toEqual([]);
  });

  it("ends with UNAUTHENTICATED when its token expires, not before", async () => {
    const { lotId } = await listLot(stack);
    // A token of one second; the verifiers accept it for five more (their clock tolerance).
    const { token, expiresAt } = await mintShortToken(randomUUID(), 1);
    const session = openSession(client, authHeader(token));
    session.follow(lotId);
    expect((await session.next("followStarted")).lotId).toBe(lotId);
    const { messages, error } = await session.rest();
    expect(error?.code).toBe(Code.Unauthenticated);
    expect(error?.rawMessage).toMatch(/token expired/);
    expect(Date.now()).toBeGreaterThanOrEqual(expiresAt.getTime() + 5_000);
    expect(messages.every((m) => m.kind.case === "lotEvent")).toBe(true);
  }, 20_000);

  it("works the same over gRPC", async () => {
    const { lotId } = await listLot(stack);
    const session = openSession(
      grpcClient(BiddingService, stack.bidding[0]!.rpcUrl),
      (await bidder()).options,
    );
    session.follow(lotId);
    expect((await session.next("followStarted")).state?.lotId).toBe(lotId);
    const bidId = randomUUID();
    session.bid(lotId, bidId, 10_00n);
    const accepted = await session.next("bidAccepted");
    expect(accepted.bid?.bidId).toBe(bidId);
    const low = randomUUID();
    session.bid(lotId, low, 10_00n);
    expect(await session.next("bidRefused")).toMatchObject({ bidId: low });
    await session.find("lotEvent", (e) => e.sequence === accepted.bid!.sequence);
    session.end();
    expect((await session.rest()).error).toBeUndefined();
  });
});
