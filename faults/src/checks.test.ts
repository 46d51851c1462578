import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { LotEventSchema, type LotEvent } from "@gavel/proto/lot/v1/lot_events";
import type { BidRecord } from "./bidding-load.ts";
import { checkRound, type RoundEvidence, type Stored } from "./checks.ts";

const opened = (seq: number): Stored<LotEvent> => ({
  seq,
  value: create(LotEventSchema, {
    lotId: "lot-1",
    kind: { case: "opened", value: { sellerId: "seller", title: "A lot" } },
  }),
});
const bid = (seq: number, bidId: string, bidderId: string, minor: number): Stored<LotEvent> => ({
  seq,
  value: create(LotEventSchema, {
    lotId: "lot-1",
    kind: {
      case: "bidAccepted",
      value: { bidId, bidderId, amount: { currencyCode: "EUR", amountMinor: BigInt(minor) } },
    },
  }),
});
const closed = (
  seq: number,
  winnerId: string,
  winningBidId: string,
  minor: number,
  bidCount: number,
) => ({
  seq,
  value: create(LotEventSchema, {
    lotId: "lot-1",
    kind: {
      case: "closed" as const,
      value: {
        winnerId,
        winningBidId,
        hammerPrice: { currencyCode: "EUR", amountMinor: BigInt(minor) },
        bidCount,
      },
    },
  }),
});
const acked = (bidId: string, sequence: number): BidRecord => ({
  bidId,
  lotId: "lot-1",
  bidderId: "x",
  amountMinor: 0,
  outcome: "acked",
  sequence,
});

/** Users' notifications stored at sequences 1, 2, 3... in the order given. */
function notifications(byUser: Record<string, string[]>): RoundEvidence["notifications"] {
  let seq = 0;
  return new Map(
    Object.entries(byUser).map(([user, ids]) => [
      user,
      ids.map((id) => ({ seq: ++seq, value: { id, closingSoon: false } })),
    ]),
  );
}

/** A round where everything held: two bids by two bidders, a sale, everyone told. */
function goodRound(): RoundEvidence {
  return {
    lots: new Map([
      [
        "lot-1",
        [
          opened(1),
          bid(5, "b1", "ann", 1000),
          bid(9, "b2", "bob", 1100),
          closed(12, "bob", "b2", 1100, 2),
        ],
      ],
    ]),
    bids: [
      acked("b1", 5),
      acked("b2", 9),
      { ...acked("b3", 0), outcome: "refused", reason: "too_low" },
    ],
    followers: [
      { name: "ws", channel: "lot:lot-1", seqs: [1, 5, 9, 12] },
      { name: "seller", channel: "user:seller", seqs: [4, 5] },
    ],
    notifications: notifications({
      ann: ["outbid-9-ann"],
      bob: ["won-lot-1", "invoice-lot-1-buyer"],
      seller: ["sold-lot-1", "invoice-lot-1-seller"],
    }),
    invoices: [{ lotId: "lot-1", buyerId: "bob", hammerMinor: 1100n }],
    reads: [
      { via: "REST", lotId: "lot-1", highestMinor: null },
      { via: "GraphQL", lotId: "lot-1", highestMinor: 1100 },
    ],
  };
}

describe("the fault suite's checks", () => {
  it("find nothing wrong in a round where everything held, and count it", () => {
    const { counts, violations } = checkRound(goodRound());
    expect(violations).toEqual([]);
    expect(counts).toMatchObject({
      acked: 2,
      refused: 1,
      stored: 2,
      duplicated: 0,
      lost: 0,
      delivered: 6,
      sold: 1,
      notifications: { expected: 5, stored: 5, duplicated: 0, lost: 0 },
      invoices: { expected: 1, stored: 1, duplicated: 0, lost: 0 },
    });
  });

  it("find an acknowledged bid that is not stored, and a refused one that is", () => {
    const round = goodRound();
    round.bids.push(acked("lost-bid", 10));
    round.bids[0] = { ...round.bids[0]!, outcome: "refused", reason: "too_low" };
    const { counts, violations } = checkRound(round);
    expect(counts.lost).toBe(1);
    expect(violations).toEqual([
      "bid b1 was refused (too_low) but is stored",
      "acknowledged bid lost-bid (sequence 10) is not stored",
    ]);
  });

  it("find a bid stored twice and a bid after the close", () => {
    const round = goodRound();
    const events = round.lots.get("lot-1")!;
    events.splice(2, 0, bid(7, "b1", "ann", 1050));
    events.push(bid(13, "b4", "ann", 1200));
    const { counts, violations } = checkRound(round);
    expect(counts.duplicated).toBe(1);
    expect(violations).toContain("bid b1 is stored 2 times (sequences 5, 7)");
    expect(violations).toContain("lot lot-1: event 13 (bidAccepted) after the close at 12");
  });

  it("find a close that names the wrong winner or price", () => {
    const round = goodRound();
    round.lots.get("lot-1")![3] = closed(12, "ann", "b1", 1000, 2);
    expect(checkRound(round).violations).toEqual(
      expect.arrayContaining([
        "lot lot-1: closed with winner ann, not the last bidder bob",
        "lot lot-1: hammer price 1000 is not the last bid 1100",
      ]),
    );
  });

  it("find followers that missed, repeated or reordered events", () => {
    const round = goodRound();
    round.followers = [
      { name: "missed", channel: "lot:lot-1", seqs: [1, 5, 12] },
      { name: "repeated", channel: "lot:lot-1", seqs: [1, 5, 5, 9, 12] },
      { name: "reordered", channel: "lot:lot-1", seqs: [1, 9, 5, 12] },
      { name: "seller missed", channel: "user:seller", seqs: [5, 99] },
    ];
    const { counts, violations } = checkRound(round);
    expect(counts.followersWrong).toBe(4);
    expect(violations).toEqual([
      "missed received 3 of 4 events; missing 9",
      "repeated received 4 of 4 events; repeated 5; 5 after 5",
      "reordered received 4 of 4 events; 5 after 9",
      "seller missed received 1 of 2 events; missing 4; not stored 99",
    ]);
  });

  it("find notifications and invoices missing, repeated or not called for", () => {
    const round = goodRound();
    round.notifications = notifications({
      ann: ["outbid-9-ann", "outbid-9-ann"],
      bob: ["won-lot-1", "unsold-lot-1"],
    });
    round.invoices.push({ lotId: "lot-1", buyerId: "ann", hammerMinor: 1000n });
    const { counts, violations } = checkRound(round);
    expect(counts.notifications).toEqual({ expected: 5, stored: 4, duplicated: 1, lost: 3 });
    expect(counts.invoices).toEqual({ expected: 1, stored: 2, duplicated: 1, lost: 0 });
    expect(violations).toEqual(
      expect.arrayContaining([
        "notification sold-lot-1 is missing",
        "notification outbid-9-ann is stored 2 times",
        "notification unsold-lot-1 was not called for",
        "invoice for lot lot-1 is stored 2 times",
        "the invoice for lot lot-1 does not match its close",
      ]),
    );
  });

  it("find a read that showed a highest bid no one placed", () => {
    const round = goodRound();
    round.reads.push({ via: "GraphQL", lotId: "lot-1", highestMinor: 1050 });
    expect(checkRound(round).violations).toEqual(["GraphQL showed lot lot-1 at 1050, never bid"]);
  });
});
