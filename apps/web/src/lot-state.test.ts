import { describe, expect, it } from "vitest";
import { applyLotEvent, suggestedBid, type LotEventFrame, type LotView } from "./lot-state.ts";

const lot: LotView = {
  id: "l1",
  title: "Lamp",
  description: "",
  sellerId: "s",
  status: "OPEN",
  startingPrice: { currency: "EUR", amountMinor: "1000" },
  highestBid: undefined,
  bidCount: 0,
  endsAt: new Date("2030-01-01T12:00:00Z"),
  snipeWindowSeconds: 30,
  winnerId: undefined,
  bids: [],
};

const bid = (seq: number, minor: number, endsAt?: string): LotEventFrame => ({
  seq,
  event: "bid_accepted",
  data: {
    occurredAt: "2030-01-01T11:59:50Z",
    bidAccepted: {
      bidId: `b${seq}`,
      bidderId: "u",
      amount: { currencyCode: "EUR", amountMinor: String(minor) },
      ...(endsAt ? { endsAt, extended: true } : {}),
    },
  },
});

describe("applyLotEvent", () => {
  it("raises the highest bid, counts it and lists it first", () => {
    const next = applyLotEvent(applyLotEvent(lot, bid(2, 1000)), bid(3, 1200));
    expect(next.highestBid).toEqual({ currency: "EUR", amountMinor: "1200" });
    expect(next.bidCount).toBe(2);
    expect(next.bids.map((b) => b.id)).toEqual(["b3", "b2"]);
  });

  it("ignores a bid the page already has (replayed, or loaded with the query)", () => {
    const once = applyLotEvent(lot, bid(2, 1500));
    expect(applyLotEvent(once, bid(2, 1500))).toBe(once);
    expect(applyLotEvent(once, bid(1, 1100))).toBe(once);
  });

  it("follows an anti-sniping extension and never moves the end back", () => {
    const extended = applyLotEvent(lot, bid(2, 1000, "2030-01-01T12:00:20Z"));
    expect(extended.endsAt?.toISOString()).toBe("2030-01-01T12:00:20.000Z");
    expect(extended.bids[0]?.extended).toBe(true);
    const earlier = applyLotEvent(extended, bid(3, 1100, "2030-01-01T11:00:00Z"));
    expect(earlier.endsAt?.toISOString()).toBe("2030-01-01T12:00:20.000Z");
  });

  it("closes and cancels", () => {
    const closed = applyLotEvent(lot, {
      seq: 9,
      event: "closed",
      data: { closed: { winnerId: "u" } },
    });
    expect(closed).toMatchObject({ status: "CLOSED", winnerId: "u" });
    const cancelled = applyLotEvent(lot, { seq: 9, event: "cancelled", data: { cancelled: {} } });
    expect(cancelled.status).toBe("CANCELLED");
  });
});

describe("suggestedBid", () => {
  it("starts at the starting price, then steps above the highest bid", () => {
    expect(suggestedBid(lot).amountMinor).toBe("1000");
    expect(suggestedBid(applyLotEvent(lot, bid(2, 1250))).amountMinor).toBe("1350");
    expect(suggestedBid(applyLotEvent(lot, bid(2, 20000))).amountMinor).toBe("20500");
  });
});
