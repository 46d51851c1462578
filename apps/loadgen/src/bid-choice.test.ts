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
  it("opens at the starting price", () => {
    expect(nextBid(lot())).toEqual({ currency: "EUR", amount_minor: 10_00 });
  });

  it("goes one to three steps above the highest bid, larger steps on dearer lots", () => {
    expect(nextBid(lot(12_00), undefined, () => 0).amount_minor).toBe(13_00);
    expect(nextBid(lot(12_00), undefined, () => 0.99).amount_minor).toBe(15_00);
    expect(nextBid(lot(150_00), undefined, () => 0).amount_minor).toBe(155_00);
  });

  it("offers the minimum the API named after a refusal", () => {
    const minimum = { currency: "EUR", amount_minor: 40_00 };
    expect(nextBid(lot(12_00), { ...minimum, amount: "40.00" } as never)).toEqual(minimum);
  });
});

describe("pick", () => {
  it("picks from the list, and nothing from an empty one", () => {
    expect(pick(["a", "b"], () => 0.6)).toBe("b");
    expect(pick([], () => 0)).toBeUndefined();
  });
});
