import { setTimeout as sleep } from "node:timers/promises";
import { timestampMs } from "@bufbuild/protobuf/wkt";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import {
  bid,
  kindsOf,
  listLot,
  startNotifierStack,
  user,
  type NotifierStack,
} from "./notifier-stack.ts";

let stack: NotifierStack;
beforeAll(async () => {
  stack = await startNotifierStack(inject("natsUrl"));
});
afterAll(async () => {
  expect(await stack.stop()).toEqual([0, 0, 0]);
});

describe("outbid", () => {
  it("tells the passed bidder once, with the new highest bid and the minimum to lead again", async () => {
    const [seller, ada, bob] = [await user(), await user(), await user()];
    const lot = await listLot(stack, seller, 3600);
    await bid(stack, ada, lot.id, 10_00n);
    const placed = await bid(stack, bob, lot.id, 150_00n);

    await expect.poll(() => stack.notificationsOf(ada.id)).toHaveLength(1);
    const [outbid] = await stack.notificationsOf(ada.id);
    expect(outbid).toMatchObject({
      id: `outbid-${placed.bid!.sequence}-${ada.id}`,
      userId: ada.id,
      lotId: lot.id,
      lotTitle: "A walnut chair",
      kind: {
        case: "outbid",
        value: {
          highestBid: { currencyCode: "EUR", amountMinor: 150_00n },
          minimumNextBid: { currencyCode: "EUR", amountMinor: 155_00n },
        },
      },
    });
    const value = outbid!.kind.case === "outbid" ? outbid!.kind.value : undefined;
    expect(timestampMs(value!.endsAt!)).toBe(timestampMs(lot.endsAt!));
    await sleep(500);
    expect(await stack.notificationsOf(ada.id)).toHaveLength(1);
    expect(await stack.notificationsOf(bob.id)).toEqual([]);
  });
});

describe("closing", () => {
  it("tells the winner they won and the seller it sold", async () => {
    const [seller, ada, bob] = [await user(), await user(), await user()];
    const lot = await listLot(stack, seller, 2);
    await bid(stack, ada, lot.id, 10_00n);
    await bid(stack, bob, lot.id, 20_00n);

    await expect
      .poll(() => kindsOf(stack, seller.id, lot.id), { timeout: 15_000 })
      .toEqual(["sold"]);
    const [sold] = await stack.notificationsOf(seller.id);
    expect(sold).toMatchObject({
      id: `sold-${lot.id}`,
      kind: { case: "sold", value: { hammerPrice: { amountMinor: 20_00n }, winnerId: bob.id } },
    });
    await expect.poll(() => kindsOf(stack, bob.id, lot.id)).toContain("won");
    const won = (await stack.notificationsOf(bob.id)).find((n) => n.kind.case === "won");
    expect(won).toMatchObject({
      id: `won-${lot.id}`,
      kind: { value: { hammerPrice: { amountMinor: 20_00n } } },
    });
    expect(await kindsOf(stack, ada.id, lot.id)).not.toContain("won");
  });

  it("tells the seller of a lot nobody bid on that it did not sell, without bids", async () => {
    const seller = await user();
    const lot = await listLot(stack, seller, 1.5);
    await expect.poll(() => stack.notificationsOf(seller.id), { timeout: 15_000 }).toHaveLength(1);
    expect((await stack.notificationsOf(seller.id))[0]).toMatchObject({
      id: `unsold-${lot.id}`,
      kind: { case: "unsold", value: { hadBids: false } },
    });
  });

  it("tells the seller of a lot below its reserve that it did not sell despite bids; nobody wins", async () => {
    const [seller, ada] = [await user(), await user()];
    const lot = await listLot(stack, seller, 2, { reserveMinor: 50_00n });
    await bid(stack, ada, lot.id, 10_00n);
    await expect.poll(() => stack.notificationsOf(seller.id), { timeout: 15_000 }).toHaveLength(1);
    expect((await stack.notificationsOf(seller.id))[0]).toMatchObject({
      kind: { case: "unsold", value: { hadBids: true } },
    });
    await sleep(500);
    expect(await kindsOf(stack, ada.id, lot.id)).not.toContain("won");
  });
});

describe("closing soon", () => {
  it("tells watchers and bidders once, the lead before the end, whatever extensions follow", async () => {
    const [seller, watcher, ada, bob] = [await user(), await user(), await user(), await user()];
    const lot = await listLot(stack, seller, 4, { snipeWindowSeconds: 1 });
    await stack.catalog.addToWatchlist({ lotId: lot.id }, watcher.options);
    await bid(stack, ada, lot.id, 10_00n);
    await bid(stack, bob, lot.id, 11_00n);
    const endsAt = timestampMs(lot.endsAt!);

    await expect
      .poll(() => kindsOf(stack, watcher.id, lot.id), { timeout: 10_000 })
      .toEqual(["closingSoon"]);
    expect(Date.now()).toBeLessThan(endsAt);
    // A bid in the last second extends the end, after the lot was already closing soon.
    await sleep(Math.max(0, endsAt - 700 - Date.now()));
    const extending = await bid(stack, ada, lot.id, 12_00n);
    expect(extending.bid?.extendedLot).toBe(true);

    await expect.poll(() => kindsOf(stack, ada.id, lot.id), { timeout: 15_000 }).toContain("won");
    await sleep(500);
    for (const u of [watcher, ada, bob]) {
      const closing = (await stack.notificationsOf(u.id)).filter(
        (n) => n.lotId === lot.id && n.kind.case === "closingSoon",
      );
      expect(closing.map((n) => n.id)).toEqual([`closing-${lot.id}-${u.id}`]);
      expect(timestampMs(closing[0]!.occurredAt!)).toBe(endsAt - 2_000);
    }
    expect(await kindsOf(stack, seller.id, lot.id)).toEqual(["sold"]);
  });

  it("moves with an extension that comes before the lead (a snipe window longer than it)", async () => {
    const [seller, ada] = [await user(), await user()];
    const lot = await listLot(stack, seller, 3, { snipeWindowSeconds: 5 });
    const placed = await bid(stack, ada, lot.id, 10_00n);
    expect(placed.bid?.extendedLot).toBe(true);
    const movedTo = timestampMs(placed.state!.endsAt!) - 2_000;
    expect(movedTo).toBeGreaterThan(timestampMs(lot.endsAt!) - 2_000);

    await expect
      .poll(() => kindsOf(stack, ada.id, lot.id), { timeout: 10_000 })
      .toEqual(["closingSoon"]);
    expect(Date.now()).toBeGreaterThanOrEqual(movedTo);
    const [closing] = await stack.notificationsOf(ada.id);
    expect(timestampMs(closing!.occurredAt!)).toBe(movedTo);
  });

  it("skips a lot listed with less than the lead left", async () => {
    const [seller, watcher] = [await user(), await user()];
    const lot = await listLot(stack, seller, 1.5);
    await stack.catalog.addToWatchlist({ lotId: lot.id }, watcher.options);
    await expect
      .poll(() => kindsOf(stack, seller.id, lot.id), { timeout: 15_000 })
      .toEqual(["unsold"]);
    await sleep(500);
    expect(await stack.notificationsOf(watcher.id)).toEqual([]);
  });
});
