import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { LotEventSchema } from "@gavel/proto/lot/v1/lot_events";
import { describe, expect, it } from "vitest";
import { incrementAbove, minimumNextBid, nextBidAbove } from "./bid-increments.ts";
import { LotState } from "./lot-state.ts";

const T0 = new Date("2026-01-01T12:00:00Z");
const eur = (minor: bigint) => ({ currencyCode: "EUR", amountMinor: minor });

function lot(start: bigint): LotState {
  return LotState.fromFirstEvent(
    1,
    create(LotEventSchema, {
      lotId: "lot1",
      occurredAt: timestampFromDate(T0),
      kind: {
        case: "opened",
        value: {
          sellerId: "seller",
          startingPrice: eur(start),
          endsAt: timestampFromDate(new Date(T0.getTime() + 3600_000)),
        },
      },
    }),
  );
}

function bid(state: LotState, bidderId: string, minor: bigint): void {
  state.apply(
    state.version + 1,
    create(LotEventSchema, {
      lotId: state.lotId,
      occurredAt: timestampFromDate(T0),
      kind: {
        case: "bidAccepted",
        value: { bidId: `${bidderId}-${minor}`, bidderId, amount: eur(minor) },
      },
    }),
  );
}

describe("increments", () => {
  it.each([
    [0n, 1_00n],
    [99_99n, 1_00n],
    [100_00n, 5_00n],
    [499_99n, 5_00n],
    [500_00n, 10_00n],
    [1_000_00n, 25_00n],
    [5_000_00n, 100_00n],
    [25_000_00n, 250_00n],
    [10_000_000_00n, 250_00n],
  ])("above %i the next bid adds %i", (highest, increment) => {
    expect(incrementAbove(highest)).toBe(increment);
  });

  it("asks for the starting price first, then the highest bid plus its increment", () => {
    const state = lot(95_00n);
    expect(minimumNextBid(state)).toEqual({ currency: "EUR", minor: 95_00n });
    bid(state, "a", 99_50n);
    expect(minimumNextBid(state).minor).toBe(100_50n);
    bid(state, "b", 100_50n);
    expect(minimumNextBid(state).minor).toBe(105_50n);
  });

  it("keeps the currency of the bid it raises", () => {
    expect(nextBidAbove({ currency: "CHF", minor: 500_00n })).toEqual({
      currency: "CHF",
      minor: 510_00n,
    });
  });
});
