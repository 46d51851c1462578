import { setTimeout as sleep } from "node:timers/promises";
import { createLogger } from "@gavel/logging";
import { beforeEach, describe, expect, it } from "vitest";
import { bidEvent } from "../../test/fixtures/memory-hub.ts";
import type { ChannelEvent } from "./channels.ts";
import { FanOutQueue, SLICE_SIZE, type Receivers } from "./fan-out-queue.ts";
import type { Listener, Transport } from "./feed-hub.ts";

const logger = createLogger({ service: "test", level: "silent" });

/** Every hand-off, in the order it happened, across listeners. */
let handOffs: Array<{ listener: number; seq: number }>;
let listeners: Set<Listener>;
let queue: FanOutQueue;
beforeEach(() => {
  handOffs = [];
  listeners = new Set();
  queue = new FanOutQueue(listeners, logger);
});

/** Listener `id`, recording what it gets; `onPush` runs on each event after recording. */
function listener(
  id: number,
  onPush: (event: ChannelEvent) => void = () => undefined,
  transport: Transport = "websocket",
): Listener {
  return {
    transport,
    push(event) {
      handOffs.push({ listener: id, seq: event.seq });
      onPush(event);
    },
  };
}

/** Listeners 1 to n. */
const addListeners = (n: number) => {
  for (let id = 1; id <= n; id++) listeners.add(listener(id));
};

/** Pushes an event; resolves with its receivers once it reached the last listener. */
const fanOut = (seq: number) =>
  new Promise<Receivers>((resolve) => queue.push(bidEvent(seq), resolve));

const seqsOf = (id: number) => handOffs.filter((h) => h.listener === id).map((h) => h.seq);

describe("a channel's fan-out", () => {
  it("hands an event to fewer listeners than a slice before push returns", () => {
    listeners.add(listener(1, undefined, "sse"));
    listeners.add(listener(2));
    let receivers: Receivers | undefined;
    queue.push(bidEvent(1), (r) => (receivers = r));
    expect(receivers).toEqual({ ws: 1, sse: 1 });
    expect(handOffs).toEqual([
      { listener: 1, seq: 1 },
      { listener: 2, seq: 1 },
    ]);
  });

  it("gives a large fan-out at most a slice of listeners per turn", async () => {
    addListeners(SLICE_SIZE * 2 + 1);
    const done = fanOut(1);
    expect(handOffs).toHaveLength(SLICE_SIZE);
    expect(await done).toEqual({ ws: SLICE_SIZE * 2 + 1, sse: 0 });
    expect(handOffs).toHaveLength(SLICE_SIZE * 2 + 1);
  });

  it("yields between slices: a timer set during a large fan-out runs before it ends", async () => {
    addListeners(SLICE_SIZE * 4);
    let handedWhenTimerRan: number | undefined;
    setTimeout(() => (handedWhenTimerRan = handOffs.length), 0);
    await fanOut(1);
    expect(handedWhenTimerRan).toBeGreaterThan(0);
    expect(handedWhenTimerRan).toBeLessThan(SLICE_SIZE * 4);
  });

  it("starts an event only once the one before it reached every listener", async () => {
    addListeners(SLICE_SIZE * 3 + 7);
    const done = [1, 2, 3].map(fanOut);
    await Promise.all(done);
    const last = (seq: number) => handOffs.findLastIndex((h) => h.seq === seq);
    const first = (seq: number) => handOffs.findIndex((h) => h.seq === seq);
    expect(last(1)).toBeLessThan(first(2));
    expect(last(2)).toBeLessThan(first(3));
    for (const id of [1, SLICE_SIZE + 1, SLICE_SIZE * 3 + 7]) expect(seqsOf(id)).toEqual([1, 2, 3]);
  });

  it("runs events queued behind a large fan-out in order, small ones too", async () => {
    addListeners(SLICE_SIZE + 1);
    const big = fanOut(1);
    await sleep(0);
    listeners.clear();
    listeners.add(listener(7));
    await Promise.all([big, fanOut(2), fanOut(3)]);
    expect(seqsOf(7)).toEqual([1, 2, 3]);
  });

  it("hands nothing more to a listener removed mid-fan-out, of this event or the next", async () => {
    const removed = listener(-1);
    listeners.add(
      listener(0, (event) => {
        if (event.seq === 1) setImmediate(() => listeners.delete(removed));
      }),
    );
    addListeners(SLICE_SIZE * 3);
    listeners.add(removed); // last: reached only in the fan-out's fourth slice
    await Promise.all([fanOut(1), fanOut(2)]);
    expect(seqsOf(-1)).toEqual([]);
    expect(seqsOf(SLICE_SIZE * 3)).toEqual([1, 2]);
  });

  it("hands the event to the others when one listener throws", async () => {
    listeners.add(
      listener(0, () => {
        throw new Error("a broken listener");
      }),
    );
    addListeners(SLICE_SIZE * 2);
    expect(await fanOut(1)).toEqual({ ws: SLICE_SIZE * 2, sse: 0 });
    expect(seqsOf(SLICE_SIZE * 2)).toEqual([1]);
  });
});
