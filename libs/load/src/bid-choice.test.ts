import { describe, expect, it } from "vitest";
import { nextBid, pick } from "./bid-choice.ts";
import type { RestLot } from "./edge-client.ts";

const lot = (highest?: number): RestLot => ({
  id: "l1",
  title: "Lamp",
  status: "open",
  starting_price: { currency: "EUR", amount_minor: 10_00 },
  highest_bid: highest === undefined ? null : { currency: "EUR", amount_minor: highest },
  ends_at: null,
});

describe("nextBid", () => {
  it("opens at the starting price, or up to three steps over it", () => {
    expect(nextBid(lot(), undefined, () => 0)).toEqual({ currency: "EUR", amount_minor: 10_00 });
    expect(nextBid(lot(), undefined, () => 0.99).amount_minor).toBe(13_00);
  });

  it("goes one to four increments above the highest bid, by the auction's increment table", () => {
    expect(nextBid(lot(12_00), undefined, () => 0).amount_minor).toBe(13_00);
    expect(nextBid(lot(12_00), undefined, () => 0.99).amount_minor).toBe(16_00);
    expect(nextBid(lot(150_00), undefined, () => 0).amount_minor).toBe(155_00);
    // The increment bidding enforces: 100.00 from 5,000.00 to 25,000.00.
    expect(nextBid(lot(18_092_00), undefined, () => 0.99).amount_minor).toBe(18_492_00);
  });

  it("starts from the minimum the API named after a refusal, sending only the input fields", () => {
    const minimum = { currency: "EUR", amount_minor: 40_00 };
    const named = { ...minimum, amount: "40.00" } as never;
    expect(nextBid(lot(12_00), named, () => 0)).toEqual(minimum);
    expect(nextBid(lot(12_00), named, () => 0.5)).toEqual({ currency: "EUR", amount_minor: 42_00 });
  });
});

describe("pick", () => {
  it("picks from the list, and nothing from an empty one", () => {
    expect(pick(["a", "b"], () => 0.6)).toBe("b");
    expect(pick([], () => 0)).toBeUndefined();
  });
});
