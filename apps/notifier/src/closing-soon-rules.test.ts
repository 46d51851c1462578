import { timestampDate } from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";
import {
  closingSoonAt,
  closingSoonNotifications,
  decideClosingSoon,
  timerAfter,
} from "./closing-soon-rules.ts";
import { TestLot } from "../test/fixtures/test-lots.ts";

const T0 = new Date("2026-01-01T12:00:00Z");
const at = (s: number) => new Date(T0.getTime() + s * 1000);
const LEAD_MS = 300_000;
/** Listed at T0, ending an hour later: closing soon from 55 minutes. */
const lotOfAnHour = (snipeWindowSeconds = 60) =>
  TestLot.open({ at: T0, endsAt: at(3600), snipeWindowSeconds });

describe("closingSoonAt", () => {
  it("is the lead before the listed end when nothing moved the end", () => {
    const { lot } = lotOfAnHour();
    lot.bid("ada", 10_00n, at(60));
    expect(closingSoonAt(lot.state, LEAD_MS)).toEqual(at(3300));
  });

  it("does not move for extensions once the lot was closing soon", () => {
    const { lot } = lotOfAnHour(60);
    lot.bid("ada", 10_00n, at(3550), at(3610));
    lot.bid("bob", 11_00n, at(3600), at(3660));
    expect(closingSoonAt(lot.state, LEAD_MS)).toEqual(at(3300));
  });

  it("moves with an extension that came before it (a snipe window longer than the lead)", () => {
    const { lot } = lotOfAnHour(1200);
    lot.bid("ada", 10_00n, at(3000), at(4200));
    expect(closingSoonAt(lot.state, LEAD_MS)).toEqual(at(3900));
    lot.bid("bob", 11_00n, at(3950), at(5150));
    expect(closingSoonAt(lot.state, LEAD_MS)).toEqual(at(3900));
  });

  it("is undefined for a lot listed with less than the lead left", () => {
    const { lot } = TestLot.open({ at: T0, endsAt: at(299) });
    expect(closingSoonAt(lot.state, LEAD_MS)).toBeUndefined();
  });
});

describe("decideClosingSoon", () => {
  it("waits for the moment, then says now, and never once the lot has closed", () => {
    const { lot } = lotOfAnHour();
    expect(decideClosingSoon(lot.state, LEAD_MS, at(3299))).toEqual({
      kind: "later",
      at: at(3300),
    });
    expect(decideClosingSoon(lot.state, LEAD_MS, at(3300))).toEqual({ kind: "now", at: at(3300) });
    lot.close(at(3600));
    expect(decideClosingSoon(lot.state, LEAD_MS, at(3300))).toEqual({ kind: "never" });
  });
});

describe("timerAfter", () => {
  it("sets the timer from the listing, or to now for a listing handled after its moment", () => {
    const { lot, event } = lotOfAnHour();
    expect(timerAfter(lot.state, event, LEAD_MS, at(1))).toEqual(at(3300));
    expect(timerAfter(lot.state, event, LEAD_MS, at(3400))).toEqual(at(3400));
  });

  it("moves it for an extension before the moment, and only then", () => {
    const { lot } = lotOfAnHour(1200);
    const plain = lot.bid("ada", 10_00n, at(100));
    expect(timerAfter(lot.state, plain.event, LEAD_MS, at(100))).toBeUndefined();
    const early = lot.bid("bob", 11_00n, at(3000), at(4200));
    expect(timerAfter(lot.state, early.event, LEAD_MS, at(3000))).toEqual(at(3900));
    const late = lot.bid("ada", 12_00n, at(4000), at(5200));
    expect(timerAfter(lot.state, late.event, LEAD_MS, at(4000))).toBeUndefined();
  });

  it("sets nothing for a lot listed with less than the lead left", () => {
    const { lot, event } = TestLot.open({ at: T0, endsAt: at(120) });
    expect(timerAfter(lot.state, event, LEAD_MS, at(0))).toBeUndefined();
  });
});

describe("closingSoonNotifications", () => {
  it("tells every watcher and bidder once, with the lot's end as it is now", () => {
    const { lot } = lotOfAnHour(60);
    lot.bid("ada", 10_00n, at(100));
    lot.bid("bob", 11_00n, at(200));
    lot.bid("ada", 12_00n, at(3590), at(3650));
    const notifications = closingSoonNotifications(lot.state, at(3300), ["cy", "bob"]);
    expect(notifications.map((n) => [n.id, n.userId])).toEqual([
      ["closing-lot-1-ada", "ada"],
      ["closing-lot-1-bob", "bob"],
      ["closing-lot-1-cy", "cy"],
    ]);
    for (const n of notifications) {
      expect(timestampDate(n.occurredAt!)).toEqual(at(3300));
      expect(n.kind.case === "closingSoon" && timestampDate(n.kind.value.endsAt!)).toEqual(
        at(3650),
      );
    }
  });
});
