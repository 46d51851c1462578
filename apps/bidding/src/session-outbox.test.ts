import { describe, expect, it } from "vitest";
import { SessionOutbox } from "./session-outbox.ts";

const stalled = () => new Error("stalled");

async function drained<T>(outbox: SessionOutbox<T>): Promise<{ taken: T[]; error: unknown }> {
  const taken: T[] = [];
  try {
    for await (const message of outbox.drain()) taken.push(message);
    return { taken, error: undefined };
  } catch (error) {
    return { taken, error };
  }
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe("SessionOutbox", () => {
  it("hands out what was sent, in order, and ends cleanly after the queue on close", async () => {
    const outbox = new SessionOutbox<number>(3, 1_000, stalled);
    await outbox.send(1);
    await outbox.send(2);
    outbox.close();
    expect(await outbox.send(3)).toBe(false); // after the end: dropped
    expect(await drained(outbox)).toEqual({ taken: [1, 2], error: undefined });
  });

  it("makes a sender wait for room, and lets it in as the reader takes", async () => {
    const outbox = new SessionOutbox<number>(2, 10_000, stalled);
    const sent: number[] = [];
    const sender = (async () => {
      for (let i = 0; i < 10; i++) if (await outbox.send(i)) sent.push(i);
      outbox.close();
    })();
    await tick();
    expect(sent).toEqual([0, 1]); // the queue is full: the third waits
    const reader = outbox.drain();
    expect((await reader.next()).value).toBe(0);
    await tick();
    expect(sent).toEqual([0, 1, 2]);
    const rest: number[] = [];
    for await (const n of reader) rest.push(n);
    await sender;
    expect(rest).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it("ends with the stall error, dropping the queue, when nothing is taken while full", async () => {
    const outbox = new SessionOutbox<number>(2, 50, stalled);
    await outbox.send(1);
    await outbox.send(2);
    const started = Date.now();
    expect(await outbox.send(3)).toBe(false); // released by the stall, not by room
    expect(Date.now() - started).toBeGreaterThanOrEqual(40);
    expect(outbox.open).toBe(false);
    expect(await drained(outbox)).toEqual({ taken: [], error: new Error("stalled") });
  });

  it("keeps the stall clock running for senders still waiting after the reader took one", async () => {
    const outbox = new SessionOutbox<number>(1, 50, stalled);
    await outbox.send(0);
    const waiting = [outbox.send(1), outbox.send(2)];
    const reader = outbox.drain();
    expect((await reader.next()).value).toBe(0); // room for one of the two, then no reader
    expect(await Promise.all(waiting)).toEqual([true, false]);
    await expect(reader.next()).rejects.toThrow("stalled");
  });

  it("releases every waiting sender when the session ends", async () => {
    const outbox = new SessionOutbox<number>(1, 10_000, stalled);
    await outbox.send(0);
    const waiting = [outbox.send(1), outbox.send(2)];
    outbox.fail(new Error("shutting down"));
    expect(await Promise.all(waiting)).toEqual([false, false]);
  });

  it("lets a failure override a clean close, but not another failure", async () => {
    const outbox = new SessionOutbox<number>(5, 1_000, stalled);
    await outbox.send(1);
    outbox.close();
    outbox.fail(new Error("shutting down"));
    outbox.fail(new Error("later"));
    expect(await drained(outbox)).toEqual({ taken: [], error: new Error("shutting down") });
  });
});
