import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { LotState } from "@gavel/lot-events";
import { MoneySchema } from "@gavel/proto/common/v1/money";
import { LotEventSchema, type LotEvent } from "@gavel/proto/lot/v1/lot_events";
import { describe, expect, it } from "vitest";
import { decideBid, decideClose } from "./bid-rules.ts";

const T0 = new Date("2026-01-01T12:00:00Z");
const END = new Date(T0.getTime() + 3600_000);
const eur = (minor: bigint) => create(MoneySchema, { currencyCode: "EUR", amountMinor: minor });
const at = (ms: number) => new Date(T0.getTime() + ms);

function lot(options: { reserve?: bigint; window?: number; start?: bigint } = {}): LotState {
  const opened: LotEvent = create(LotEventSchema, {
    lotId: "lot1",
    occurredAt: timestampFromDate(T0),
    kind: {
      case: "opened",
      value: {
        sellerId: "seller",
        title: "A chair",
        startingPrice: eur(options.start ?? 10_00n),
        reservePrice: eur(options.reserve ?? 0n),
        endsAt: timestampFromDate(END),
        snipeWindowSeconds: options.window ?? 60,
      },
    },
  });
  return LotState.fromFirstEvent(1, opened);
}

function withBid(
  state: LotState,
  bidderId: string,
  minor: bigint,
  when = T0,
  bidId = `${bidderId}-${minor}`,
): LotState {
  const decision = decideBid(state, { bidId, bidderId, amount: { currency: "EUR", minor } }, when);
  if (decision.kind !== "accept")
    throw new Error(`fixture bid refused: ${JSON.stringify(decision)}`);
  state.apply(
    state.version + 1,
    create(LotEventSchema, {
      lotId: state.lotId,
      occurredAt: timestampFromDate(when),
      kind: {
        case: "bidAccepted",
        value: {
          bidId,
          bidderId,
          amount: eur(minor),
          endsAt: timestampFromDate(decision.endsAt),
          extended: decision.extended,
        },
      },
    }),
  );
  return state;
}

const bid = (bidderId: string, minor: bigint, bidId = "b1", currency = "EUR") => ({
  bidId,
  bidderId,
  amount: { currency, minor },
});

describe("decideBid", () => {
  it("accepts a first bid at the starting price without moving the end", () => {
    expect(decideBid(lot(), bid("a", 10_00n), T0)).toEqual({
      kind: "accept",
      extended: false,
      endsAt: END,
    });
  });

  it("refuses a bid below the minimum and says what the minimum is", () => {
    const state = withBid(lot(), "a", 20_00n);
    const decision = decideBid(state, bid("b", 20_99n), T0);
    expect(decision).toMatchObject({
      kind: "reject",
      reason: "too_low",
      minimum: { currency: "EUR", minor: 21_00n },
    });
    expect(decideBid(state, bid("b", 21_00n), T0).kind).toBe("accept");
  });

  it("refuses the seller bidding on their own lot", () => {
    expect(decideBid(lot(), bid("seller", 50_00n), T0)).toMatchObject({
      kind: "reject",
      reason: "own_lot",
    });
  });

  it("refuses the highest bidder raising against themselves", () => {
    const state = withBid(lot(), "a", 20_00n);
    expect(decideBid(state, bid("a", 90_00n, "b2"), T0)).toMatchObject({
      reason: "already_highest",
    });
  });

  it("refuses another currency", () => {
    expect(decideBid(lot(), bid("a", 50_00n, "b1", "USD"), T0)).toMatchObject({
      reason: "currency_mismatch",
    });
  });

  it("refuses bids at and after the end, even before the close is recorded", () => {
    expect(decideBid(lot(), bid("a", 50_00n), END)).toMatchObject({ reason: "ended" });
    expect(decideBid(lot(), bid("a", 50_00n), at(3600_001))).toMatchObject({ reason: "ended" });
    expect(decideBid(lot(), bid("a", 50_00n), at(3599_999)).kind).toBe("accept");
  });

  it("refuses bids on closed and cancelled lots", () => {
    const closed = lot();
    closed.apply(2, create(LotEventSchema, { lotId: "lot1", kind: { case: "closed", value: {} } }));
    expect(decideBid(closed, bid("a", 50_00n), T0)).toMatchObject({ reason: "ended" });
    const cancelled = lot();
    cancelled.apply(
      2,
      create(LotEventSchema, {
        lotId: "lot1",
        kind: { case: "cancelled", value: { reason: "x" } },
      }),
    );
    expect(decideBid(cancelled, bid("a", 50_00n), T0)).toMatchObject({ reason: "cancelled" });
  });

  it("extends the end to the bid time plus the window for a bid inside the window", () => {
    const state = lot({ window: 60 });
    const late = at(3600_000 - 10_000);
    expect(decideBid(state, bid("a", 10_00n), late)).toEqual({
      kind: "accept",
      extended: true,
      endsAt: new Date(late.getTime() + 60_000),
    });
    const justOutside = at(3600_000 - 60_000);
    expect(decideBid(state, bid("a", 10_00n), justOutside)).toMatchObject({
      extended: false,
      endsAt: END,
    });
  });

  it("keeps extending while bids keep arriving in the window, and a bid after the new end is refused", () => {
    const state = lot({ window: 60 });
    withBid(state, "a", 10_00n, at(3590_000));
    expect(state.endsAt).toEqual(at(3650_000));
    withBid(state, "b", 11_00n, at(3640_000));
    expect(state.endsAt).toEqual(at(3700_000));
    expect(decideBid(state, bid("a", 12_00n, "late"), at(3700_000))).toMatchObject({
      reason: "ended",
    });
  });

  it("answers a repeated bid id with the first bid, and refuses the id for a different bid", () => {
    const state = withBid(lot(), "a", 20_00n, T0, "same-id");
    const first = state.bidById("same-id");
    expect(decideBid(state, bid("a", 20_00n, "same-id"), at(1000))).toEqual({
      kind: "duplicate",
      bid: first,
    });
    expect(decideBid(state, bid("a", 30_00n, "same-id"), at(1000))).toMatchObject({
      reason: "bid_id_reused",
    });
    expect(decideBid(state, bid("b", 20_00n, "same-id"), at(1000))).toMatchObject({
      reason: "bid_id_reused",
    });
  });
});

describe("decideClose", () => {
  it("does nothing before the end", () => {
    expect(decideClose(lot(), at(1000))).toEqual({ kind: "not_yet", dueAt: END });
  });

  it("sells to the highest bidder when the reserve is met", () => {
    const state = withBid(withBid(lot({ reserve: 20_00n }), "a", 15_00n), "b", 20_00n);
    expect(decideClose(state, END)).toMatchObject({
      kind: "close",
      winnerId: "b",
      reserveMet: true,
      bidCount: 2,
      endedAt: END,
    });
  });

  it("closes unsold below the reserve, keeping the highest bid for the record", () => {
    const state = withBid(lot({ reserve: 50_00n }), "a", 15_00n);
    const decision = decideClose(state, END);
    expect(decision).toMatchObject({ kind: "close", winnerId: "", reserveMet: false, bidCount: 1 });
    expect(decision.kind === "close" && decision.winningBid?.bidderId).toBe("a");
  });

  it("closes unsold without bids", () => {
    expect(decideClose(lot(), END)).toMatchObject({
      kind: "close",
      winnerId: "",
      reserveMet: false,
      bidCount: 0,
    });
  });

  it("does nothing for a lot already closed or cancelled", () => {
    const state = lot();
    state.apply(
      2,
      create(LotEventSchema, { lotId: "lot1", kind: { case: "cancelled", value: {} } }),
    );
    expect(decideClose(state, END)).toEqual({ kind: "nothing_to_do" });
  });
});
