import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { LotEventSchema } from "@gavel/proto/lot/v1/lot_events";
import { describe, expect, it } from "vitest";
import { LotState } from "./lot-state.ts";

const eur = (minor: bigint) => ({ currencyCode: "EUR", amountMinor: minor });

describe("LotState", () => {
  it("keeps the history of the end: the listed one and each bid's", () => {
    const state = LotState.fromFirstEvent(
      1,
      create(LotEventSchema, {
        lotId: "lot1",
        kind: {
          case: "opened",
          value: { sellerId: "s", startingPrice: eur(1_00n), endsAt: timestampFromMs(1_000) },
        },
      }),
    );
    const bid = (sequence: number, endsAtMs?: number) =>
      state.apply(
        sequence,
        create(LotEventSchema, {
          lotId: "lot1",
          kind: {
            case: "bidAccepted",
            value: {
              bidId: `b${sequence}`,
              bidderId: `u${sequence}`,
              amount: eur(BigInt(sequence) * 1_00n),
              ...(endsAtMs ? { endsAt: timestampFromMs(endsAtMs), extended: true } : {}),
            },
          },
        }),
      );
    bid(2);
    bid(3, 1_500);
    bid(4);
    expect(state.listedEndsAt).toEqual(new Date(1_000));
    expect(state.bids.map((b) => b.endsAt.getTime())).toEqual([1_000, 1_500, 1_500]);
    expect(state.endsAt).toEqual(new Date(1_500));
  });
});
