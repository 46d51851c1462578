import { setTimeout as sleep } from "node:timers/promises";
import { createLogger } from "@gavel/logging";
import { beforeEach, describe, expect, it } from "vitest";
import { bidEvent } from "../../test/fixtures/memory-hub.ts";
import type { ChannelEvent } from "./channels.ts";
import { framePayload } from "../ws/ws-frame.ts";
import {
  FanOutQueue,
  MAX_RUN_BYTES,
  MAX_RUN_EVENTS,
  SLICE_SIZE,
  type Receivers,
} from "./fan-out-queue.ts";
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
      for (const { seq } of event.parts ?? [event]) handOffs.push({ listener: id, seq });
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
    // A 0 ms timer is due after 1 ms: wait that out, so it is due before the fan-out starts
    // however fast the slices run on this machine.
    const due = performance.now() + 2;
    while (performance.now() < due);
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
    expect(last(1)).toBeLessThan(first(3));
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

  it("joins the events that waited behind a fan-out into one run, in order", async () => {
    const pushed: ChannelEvent[] = [];
    listeners.add(listener(0, (event) => pushed.push(event)));
    addListeners(SLICE_SIZE);
    const done = [1, 2, 3, 4].map(fanOut);
    const receivers = await Promise.all(done);
    expect(pushed.map((event) => event.parts?.map((part) => part.seq) ?? event.seq)).toEqual([
      1,
      [2, 3, 4],
    ]);
    expect(receivers).toEqual(Array(4).fill({ ws: SLICE_SIZE + 1, sse: 0 }));
    const run = JSON.parse(framePayload(pushed[1]!.frame).toString());
    expect(run).toMatchObject({ type: "batch" });
    expect(run.messages.map((m: { seq: number }) => m.seq)).toEqual([2, 3, 4]);
    expect(pushed[1]!.sse.toString().match(/^id: \d+$/gm)).toEqual(["id: 2", "id: 3", "id: 4"]);
  });

  it("keeps a run within MAX_RUN_EVENTS and MAX_RUN_BYTES", async () => {
    const pushed: ChannelEvent[] = [];
    listeners.add(listener(0, (event) => pushed.push(event)));
    addListeners(SLICE_SIZE);
    const waiting = MAX_RUN_EVENTS + 5;
    await Promise.all(Array.from({ length: waiting + 1 }, (_, i) => fanOut(i + 1)));
    const runs = pushed.slice(1).map((event) => event.parts?.length ?? 1);
    expect(runs.reduce((a, b) => a + b)).toBe(waiting);
    for (const event of pushed) expect(event.frame.length).toBeLessThanOrEqual(MAX_RUN_BYTES);
    expect(Math.max(...runs)).toBeLessThanOrEqual(MAX_RUN_EVENTS);
    expect(seqsOf(0)).toEqual(Array.from({ length: waiting + 1 }, (_, i) => i + 1));
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
