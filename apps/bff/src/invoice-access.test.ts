import { LotStatus } from "@gavel/proto/catalog/v1/catalog";
import { describe, expect, it } from "vitest";
import { mayReadInvoice } from "./invoice-access.ts";

const sold = { status: LotStatus.CLOSED, sellerId: "sam", winnerId: "bea" };

describe("who may read a lot's invoice", () => {
  it.each([
    ["the seller of a sold lot", true, sold, "sam"],
    ["the winner of a sold lot", true, sold, "bea"],
    ["anyone else", false, sold, "eve"],
    ["a guest", false, sold, undefined],
    ["the seller of a lot closed unsold", false, { ...sold, winnerId: "" }, "sam"],
    ["the leader of a lot still open", false, { ...sold, status: LotStatus.OPEN }, "bea"],
    ["the seller of a cancelled lot", false, { ...sold, status: LotStatus.CANCELLED }, "sam"],
  ])("%s: %s", (_who, expected, lot, viewer) => {
    expect(mayReadInvoice(lot, viewer)).toBe(expected);
  });
});
