import { beforeEach, describe, expect, it } from "vitest";
import { bidEvent, lotChannel, MemoryHub } from "../../test/fixtures/memory-hub.ts";
import { eventRun, type ChannelEvent } from "./channels.ts";
import { Subscription, type EventSink } from "./subscription.ts";

class RecordingSink implements EventSink {
  readonly transport = "websocket";
  readonly seqs: number[] = [];
  readonly failures: string[] = [];
  readonly sent: ChannelEvent[] = [];
  sendEvent(event: ChannelEvent): void {
    this.sent.push(event);
    for (const { seq } of event.parts ?? [event]) this.seqs.push(seq);
  }
  fail(reason: string): void {
    this.failures.push(reason);
  }
}

let memory: MemoryHub;
let sink: RecordingSink;
beforeEach(() => {
  memory = new MemoryHub();
  memory.storeUpTo(5);
  sink = new RecordingSink();
});

const subscribe = (after: number) => new Subscription(memory.hub, lotChannel, after, sink);

describe("a subscription", () => {
  it("replays the gap after the client's sequence, then goes live", async () => {
    const subscription = subscribe(2);
    expect(await subscription.start(true)).toEqual({ after: 2, replayed: 3 });
    memory.publish(bidEvent(6));
    expect(sink.seqs).toEqual([3, 4, 5, 6]);
    expect(subscription.lastSequence).toBe(6);
  });

  it("resuming after 0 replays the channel's whole history", async () => {
    expect(await subscribe(0).start(true)).toEqual({ after: 0, replayed: 5 });
    expect(sink.seqs).toEqual([1, 2, 3, 4, 5]);
  });

  it("without a position starts live at the feed's and replays nothing", async () => {
    expect(await subscribe(0).start(false)).toEqual({ after: 5, replayed: 0 });
    memory.publish(bidEvent(6));
    expect(sink.seqs).toEqual([6]);
  });

  it("holds live events that arrive during the replay and sends each once, in order", async () => {
    memory.beforeReplayed = (event) => {
      // Live delivery overlaps the replay: 5 is both stored and live.
      if (event.seq === 3) [5, 6].forEach((seq) => memory.publish(bidEvent(seq)));
      if (event.seq === 4) memory.publish(bidEvent(7));
    };
    expect(await subscribe(2).start(true)).toEqual({ after: 2, replayed: 3 });
    expect(sink.seqs).toEqual([3, 4, 5, 6, 7]);
  });

  it("drops a live event at or below the last one sent", async () => {
    await subscribe(0).start(false);
    [6, 6, 4, 7, 5].forEach((seq) => memory.publish(bidEvent(seq)));
    expect(sink.seqs).toEqual([6, 7]);
  });

  it("sends a run whole when all of it is new, else only its new events, one by one", async () => {
    await subscribe(0).start(false);
    const run = eventRun([6, 7].map((seq) => bidEvent(seq)));
    memory.publish(run);
    memory.publish(eventRun([7, 8, 9].map((seq) => bidEvent(seq))));
    expect(sink.seqs).toEqual([6, 7, 8, 9]);
    expect(sink.sent.map((event) => event.parts?.length ?? 1)).toEqual([2, 1, 1]);
    expect(sink.sent[0]).toBe(run);
  });

  it("stopped mid-replay, sends nothing more and leaves the feed", async () => {
    const subscription = subscribe(2);
    memory.beforeReplayed = (event) => {
      if (event.seq === 4) subscription.stop();
    };
    await subscription.start(true);
    memory.publish(bidEvent(6));
    expect(sink.seqs).toEqual([3]);
    expect(memory.listeners.size).toBe(0);
  });

  it("stopped before it starts, or while joining, leaves no listener on the feed", async () => {
    const early = subscribe(2);
    early.stop();
    expect(await early.start(true)).toEqual({ after: 2, replayed: 0 });
    expect(memory.listeners.size).toBe(0);

    // A hub whose join completes a turn later, as the real one (it may start a feed).
    const slow = Object.create(memory) as MemoryHub;
    slow.join = async (channel, listener) => {
      await Promise.resolve();
      return memory.join(channel, listener);
    };
    const joining = new Subscription(slow.hub, lotChannel, 2, sink);
    const started = joining.start(true);
    joining.stop();
    expect(await started).toEqual({ after: 2, replayed: 0 });
    memory.publish(bidEvent(6));
    expect(memory.listeners.size).toBe(0);
    expect(sink.seqs).toEqual([]);
  });

  it("holds up to 10,000 live events during a replay; one more fails the connection", async () => {
    const live = bidEvent(100);
    let seq = 100;
    memory.beforeReplayed = (event) => {
      if (event.seq !== 3) return;
      for (let i = 0; i < 10_000; i++) memory.publish({ ...live, seq: seq++ });
      expect(sink.failures).toEqual([]);
      memory.publish({ ...live, seq: seq++ });
      expect(sink.failures).toHaveLength(1);
    };
    await subscribe(2).start(true);
    expect(sink.failures).toHaveLength(1);
  });

  it("fails start when the feed cannot be joined", async () => {
    memory.joinError = new Error("no feed");
    await expect(subscribe(0).start(true)).rejects.toThrow("no feed");
    expect(sink.seqs).toEqual([]);
  });
});
