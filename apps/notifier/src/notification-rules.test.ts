import { timestampDate } from "@bufbuild/protobuf/wkt";
import type { Notification } from "@gavel/proto/notification/v1/notifications";
import { describe, expect, it } from "vitest";
import { notificationsFor } from "./notification-rules.ts";
import { TestLot } from "../test/fixtures/test-lots.ts";

const T0 = new Date("2026-01-01T12:00:00Z");
const END = new Date(T0.getTime() + 3600_000);
const at = (ms: number) => new Date(T0.getTime() + ms);

/** The parts a test asserts on, in plain values. */
const summary = (n: Notification) => ({
  id: n.id,
  userId: n.userId,
  kind: n.kind.case,
  occurredAt: n.occurredAt ? timestampDate(n.occurredAt) : undefined,
});

describe("a bid", () => {
  it("tells the bidder it passed the new highest bid, the minimum to lead again and the end", () => {
    const { lot } = TestLot.open({ at: T0, endsAt: END });
    lot.bid("ada", 10_00n, at(1_000));
    const { sequence, event } = lot.bid("bob", 150_00n, at(2_000));
    const [outbid, ...others] = notificationsFor(lot.state, sequence, event);
    expect(others).toEqual([]);
    expect(summary(outbid!)).toEqual({
      id: `outbid-${sequence}-ada`,
      userId: "ada",
      kind: "outbid",
      occurredAt: at(2_000),
    });
    expect(outbid).toMatchObject({ lotId: "lot-1", lotTitle: "A walnut chair" });
    const value = outbid!.kind.case === "outbid" ? outbid!.kind.value : undefined;
    expect(value?.highestBid).toMatchObject({ currencyCode: "EUR", amountMinor: 150_00n });
    expect(value?.minimumNextBid).toMatchObject({ currencyCode: "EUR", amountMinor: 155_00n });
    expect(timestampDate(value!.endsAt!)).toEqual(END);
  });

  it("tells nobody when it is the first", () => {
    const { lot } = TestLot.open({ at: T0, endsAt: END });
    const { sequence, event } = lot.bid("ada", 10_00n, at(1_000));
    expect(notificationsFor(lot.state, sequence, event)).toEqual([]);
  });

  it("is judged as of its own place in the lot, however far the state was folded since", () => {
    const { lot } = TestLot.open({ at: T0, endsAt: END, snipeWindowSeconds: 600 });
    lot.bid("ada", 10_00n, at(1_000));
    const bob = lot.bid("bob", 20_00n, at(2_000), at(3_600_000 + 60_000));
    lot.bid("cy", 30_00n, at(3_000), at(3_600_000 + 120_000));
    const [outbid] = notificationsFor(lot.state, bob.sequence, bob.event);
    expect(outbid?.userId).toBe("ada");
    const value = outbid?.kind.case === "outbid" ? outbid.kind.value : undefined;
    expect(value?.highestBid?.amountMinor).toBe(20_00n);
    expect(timestampDate(value!.endsAt!)).toEqual(at(3_600_000 + 60_000));
  });

  it("gives the same notifications, ids included, however often it is decided", () => {
    const { lot } = TestLot.open({ at: T0, endsAt: END });
    lot.bid("ada", 10_00n, at(1_000));
    const { sequence, event } = lot.bid("bob", 11_00n, at(2_000));
    expect(notificationsFor(lot.state, sequence, event)).toEqual(
      notificationsFor(lot.state, sequence, event),
    );
  });
});

describe("a close", () => {
  it("tells the winner they won and the seller it sold, at the hammer price", () => {
    const { lot } = TestLot.open({ at: T0, endsAt: END, reserveMinor: 50_00n });
    lot.bid("ada", 10_00n, at(1_000));
    lot.bid("bob", 60_00n, at(2_000));
    const { sequence, event } = lot.close(END);
    const notifications = notificationsFor(lot.state, sequence, event);
    expect(notifications.map(summary)).toEqual([
      { id: "won-lot-1", userId: "bob", kind: "won", occurredAt: END },
      { id: "sold-lot-1", userId: "seller", kind: "sold", occurredAt: END },
    ]);
    expect(notifications[0]?.kind.value).toMatchObject({ hammerPrice: { amountMinor: 60_00n } });
    expect(notifications[1]?.kind.value).toMatchObject({
      hammerPrice: { amountMinor: 60_00n },
      winnerId: "bob",
    });
  });

  it("tells the seller of a lot nobody bid on that it did not sell, without bids", () => {
    const { lot } = TestLot.open({ at: T0, endsAt: END });
    const { sequence, event } = lot.close(END);
    const notifications = notificationsFor(lot.state, sequence, event);
    expect(notifications.map(summary)).toEqual([
      { id: "unsold-lot-1", userId: "seller", kind: "unsold", occurredAt: END },
    ]);
    expect(notifications[0]?.kind.value).toMatchObject({ hadBids: false });
  });

  it("tells the seller of a lot below its reserve that it did not sell despite bids, and nobody won", () => {
    const { lot } = TestLot.open({ at: T0, endsAt: END, reserveMinor: 50_00n });
    lot.bid("ada", 10_00n, at(1_000));
    const { sequence, event } = lot.close(END);
    const notifications = notificationsFor(lot.state, sequence, event);
    expect(notifications.map((n) => [n.userId, n.kind.case])).toEqual([["seller", "unsold"]]);
    expect(notifications[0]?.kind.value).toMatchObject({ hadBids: true });
  });
});

describe("other events", () => {
  it("tell nobody anything", () => {
    const { lot, event } = TestLot.open({ at: T0, endsAt: END });
    expect(notificationsFor(lot.state, 1, event)).toEqual([]);
  });
});
