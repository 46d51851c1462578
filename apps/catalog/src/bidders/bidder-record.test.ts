import { create } from "@bufbuild/protobuf";
import { timestampDate, timestampFromMs } from "@bufbuild/protobuf/wkt";
import { LotState } from "@gavel/lot-events";
import { LotSchema } from "@gavel/proto/catalog/v1/catalog";
import { LotEventSchema } from "@gavel/proto/lot/v1/lot_events";
import { describe, expect, it } from "vitest";
import { bidderRecord, isLeading } from "./bidder-record.ts";

const T0 = Date.parse("2026-01-01T00:00:00Z");
const eur = (amountMinor: bigint) => ({ currencyCode: "EUR", amountMinor });

/** A lot opened at sequence 1, then the bids at sequences 2, 3, ... a minute apart. */
function lotWithBids(bids: Array<[bidder: string, minor: bigint]>): LotState {
  const state = LotState.fromFirstEvent(
    1,
    create(LotEventSchema, {
      lotId: "lot",
      occurredAt: timestampFromMs(T0),
      kind: {
        case: "opened",
        value: {
          sellerId: "seller",
          startingPrice: eur(10_00n),
          endsAt: timestampFromMs(T0 + 1e8),
        },
      },
    }),
  );
  bids.forEach(([bidderId, minor], i) =>
    state.apply(
      i + 2,
      create(LotEventSchema, {
        lotId: "lot",
        occurredAt: timestampFromMs(T0 + (i + 1) * 60_000),
        kind: { case: "bidAccepted", value: { bidId: `b${i}`, bidderId, amount: eur(minor) } },
      }),
    ),
  );
  return state;
}

describe("bidderRecord", () => {
  const state = lotWithBids([
    ["ada", 10_00n],
    ["bob", 11_00n],
    ["ada", 12_00n],
    ["cy", 13_00n],
  ]);

  it("counts the bidder's bids and keeps their highest and latest, at the state's version", () => {
    const ada = bidderRecord(state, "ada")!;
    expect(ada.ownBidCount).toBe(2);
    expect(ada.highestOwnBid?.amountMinor).toBe(12_00n);
    expect(timestampDate(ada.lastBidAt!).getTime()).toBe(T0 + 3 * 60_000);
    expect(ada.version).toBe(5n);
    const bob = bidderRecord(state, "bob")!;
    expect([bob.ownBidCount, bob.highestOwnBid?.amountMinor]).toEqual([1, 11_00n]);
  });

  it("has no record for someone who never bid", () => {
    expect(bidderRecord(state, "seller")).toBeUndefined();
  });
});

describe("isLeading", () => {
  const state = lotWithBids([
    ["ada", 10_00n],
    ["bob", 11_00n],
  ]);
  const lot = create(LotSchema, { id: "lot", highestBid: eur(11_00n) });

  it("is true only for the bidder whose highest bid is the lot's", () => {
    expect(isLeading(bidderRecord(state, "bob")!, lot)).toBe(true);
    expect(isLeading(bidderRecord(state, "ada")!, lot)).toBe(false);
  });

  it("is false for a lot without bids or in another currency", () => {
    const bob = bidderRecord(state, "bob")!;
    expect(isLeading(bob, create(LotSchema, { id: "lot" }))).toBe(false);
    expect(
      isLeading(
        bob,
        create(LotSchema, { id: "lot", highestBid: { ...eur(11_00n), currencyCode: "USD" } }),
      ),
    ).toBe(false);
  });
});
