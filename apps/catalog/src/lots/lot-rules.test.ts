import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromDate, timestampFromMs } from "@bufbuild/protobuf/wkt";
import { LotState } from "@gavel/lot-events";
import {
  LotDraftSchema,
  LotSchema,
  LotStatus,
  type LotDraft,
} from "@gavel/proto/catalog/v1/catalog";
import { LotEventSchema } from "@gavel/proto/lot/v1/lot_events";
import { describe, expect, it } from "vitest";
import { checkDraft, decideCancel, decideWatch } from "./lot-rules.ts";

/** The plain-object form of a draft (not a message), so tests can spread overrides. */
type DraftInit = Exclude<MessageInitShape<typeof LotDraftSchema>, LotDraft>;

const NOW = new Date("2026-01-01T00:00:00Z");
const good = (): DraftInit => ({
  title: "Chair",
  startingPrice: { currencyCode: "EUR", amountMinor: 100n },
  endsAt: timestampFromMs(NOW.getTime() + 3600_000),
});

describe("checkDraft", () => {
  it("accepts a minimal draft", () => {
    expect(checkDraft(create(LotDraftSchema, good()), NOW, 60).list).toEqual([]);
  });

  it("requires a draft at all", () => {
    expect(checkDraft(undefined, NOW, 60).list.map((v) => v.field)).toEqual(["lot"]);
  });

  it.each([
    ["ends too soon", { endsAt: timestampFromMs(NOW.getTime() + 59_000) }, "lot.ends_at"],
    ["ends too late", { endsAt: timestampFromMs(NOW.getTime() + 31 * 86_400_000) }, "lot.ends_at"],
    [
      "reserve below start",
      { reservePrice: { currencyCode: "EUR", amountMinor: 99n } },
      "lot.reserve_price.amount_minor",
    ],
    ["title too long", { title: "x".repeat(121) }, "lot.title"],
    ["description too long", { description: "x".repeat(5001) }, "lot.description"],
    ["negative snipe window", { snipeWindowSeconds: -1 }, "lot.snipe_window_seconds"],
  ] as Array<[string, DraftInit, string]>)("refuses a draft that %s", (_name, change, field) => {
    const draft = create(LotDraftSchema, { ...good(), ...change });
    expect(checkDraft(draft, NOW, 60).list.map((v) => v.field)).toEqual([field]);
  });

  it("treats a zero reserve as no reserve", () => {
    const draft = create(LotDraftSchema, {
      ...good(),
      reservePrice: { currencyCode: "", amountMinor: 0n },
    });
    expect(checkDraft(draft, NOW, 60).empty).toBe(true);
  });
});

describe("decideCancel", () => {
  const opened = () =>
    LotState.fromFirstEvent(
      1,
      create(LotEventSchema, {
        lotId: "l",
        kind: {
          case: "opened",
          value: {
            sellerId: "s",
            startingPrice: { currencyCode: "EUR", amountMinor: 100n },
            endsAt: timestampFromDate(new Date(NOW.getTime() + 1000)),
          },
        },
      }),
    );

  it("lets the seller cancel an open lot without bids", () => {
    expect(decideCancel(opened(), "s", NOW)).toBe("cancel");
  });

  it("refuses strangers, lots with bids, ended and closed lots", () => {
    expect(decideCancel(opened(), "x", NOW)).toBe("not_seller");
    expect(decideCancel(opened(), "s", new Date(NOW.getTime() + 1000))).toBe("ended");
    const withBid = opened();
    withBid.apply(
      2,
      create(LotEventSchema, {
        lotId: "l",
        kind: {
          case: "bidAccepted",
          value: { bidId: "b", bidderId: "x", amount: { currencyCode: "EUR", amountMinor: 100n } },
        },
      }),
    );
    expect(decideCancel(withBid, "s", NOW)).toBe("has_bids");
    const closed = opened();
    closed.apply(2, create(LotEventSchema, { lotId: "l", kind: { case: "closed", value: {} } }));
    expect(decideCancel(closed, "s", NOW)).toBe("not_open");
  });
});

describe("decideWatch", () => {
  const lot = (status: LotStatus, endsInMs = 1000) =>
    create(LotSchema, { id: "l", status, endsAt: timestampFromMs(NOW.getTime() + endsInMs) });

  it("lets anyone watch an open lot before its end", () => {
    expect(decideWatch(lot(LotStatus.OPEN), NOW)).toBe("watch");
  });

  it("refuses closed, cancelled and ended lots", () => {
    expect(decideWatch(lot(LotStatus.CLOSED), NOW)).toBe("not_open");
    expect(decideWatch(lot(LotStatus.CANCELLED), NOW)).toBe("not_open");
    expect(decideWatch(lot(LotStatus.OPEN, 0), NOW)).toBe("ended");
  });
});
