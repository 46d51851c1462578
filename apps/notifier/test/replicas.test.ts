import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import {
  bid,
  listLot,
  startNotifierStack,
  user,
  type NotifierStack,
  type User,
} from "./notifier-stack.ts";

const LOTS = 6;
const BIDS_PER_LOT = 6;

let stack: NotifierStack;
beforeAll(async () => {
  stack = await startNotifierStack(inject("natsUrl"), 2);
});
afterAll(async () => {
  // catalog, bidding, the replica that keeps running, the killed one, its replacement
  expect(await stack.stop()).toEqual([0, 0, null, 0, 0]);
});

describe("two notifier replicas", () => {
  it("notify exactly once, through a kill -9 of one mid-stream and its restart", async () => {
    const [ada, bob] = [await user(), await user()];
    const sellers: User[] = [];
    const lotIds: string[] = [];
    for (let i = 0; i < LOTS; i++) {
      sellers.push(await user());
      lotIds.push((await listLot(stack, sellers[i]!, 8)).id);
    }
    const [doomed] = stack.group.processes.filter((p) => p.app === "notifier");

    // Bidders take turns on every lot, so each bid after a lot's first outbids someone.
    const outbids: string[] = [];
    for (let round = 0; round < BIDS_PER_LOT; round++) {
      if (round === 4) await stack.startNotifier();
      await Promise.all([
        ...lotIds.map(async (lotId) => {
          const [bidder, other] = round % 2 === 0 ? [ada, bob] : [bob, ada];
          const placed = await bid(stack, bidder, lotId, 10_00n + BigInt(round) * 1_00n);
          if (round > 0) outbids.push(`outbid-${placed.bid!.sequence}-${other.id}`);
        }),
        // Killed while the round's events reach it: what it took and did not ack comes
        // back to the other replica, some of it maybe published already.
        ...(round === 2 ? [sleep(5).then(() => doomed!.stop("SIGKILL"))] : []),
      ]);
      await sleep(100);
    }

    // The last bid of each lot is bob's: he wins them all, once the lots close.
    const expected = new Map<string, string[]>([
      [ada.id, [...outbids.filter((id) => id.endsWith(ada.id))]],
      [bob.id, [...outbids.filter((id) => id.endsWith(bob.id))]],
    ]);
    for (const [i, lotId] of lotIds.entries()) {
      expected.get(ada.id)!.push(`closing-${lotId}-${ada.id}`);
      expected.get(bob.id)!.push(`closing-${lotId}-${bob.id}`, `won-${lotId}`);
      expected.set(sellers[i]!.id, [`sold-${lotId}`]);
    }
    const idsOf = async (userId: string) =>
      (await stack.notificationsOf(userId)).map((n) => n.id).sort();
    for (const [userId, ids] of expected) {
      await expect.poll(() => idsOf(userId), { timeout: 40_000 }).toEqual(ids.sort());
    }
    await sleep(1_000); // a late duplicate would have landed by now
    for (const [userId, ids] of expected) expect(await idsOf(userId)).toEqual(ids.sort());
    expect(outbids).toHaveLength(LOTS * (BIDS_PER_LOT - 1));
  });
});
