import { describe, expect, it, vi } from "vitest";
import { TokenBucket } from "./token-bucket.ts";

/** How many of `count` messages, one every `everyMs` from `startMs`, the bucket takes. */
function taken(bucket: TokenBucket, count: number, everyMs: number, startMs = 0): number {
  let accepted = 0;
  for (let i = 0; i < count; i++) if (bucket.take(startMs + i * everyMs)) accepted++;
  return accepted;
}

describe("TokenBucket", () => {
  it("takes a burst of twice the rate at once, then refuses", () => {
    const bucket = new TokenBucket(20, 0);
    expect(taken(bucket, 40, 0)).toBe(40);
    expect(bucket.take(0)).toBe(false);
  });

  it("refills one message per 1/rate seconds", () => {
    const bucket = new TokenBucket(20, 0);
    taken(bucket, 40, 0);
    expect(bucket.take(49)).toBe(false);
    expect(bucket.take(50)).toBe(true);
    expect(bucket.take(50)).toBe(false);
  });

  it("neither refills nor drains when the wall clock steps back", () => {
    const bucket = new TokenBucket(20, 1_000_000);
    expect(taken(bucket, 40, 0, 1_000_000)).toBe(40);
    // NTP moves the clock back 3 s: the bucket is empty, not 60 messages in debt.
    expect(bucket.take(997_000)).toBe(false);
    expect(bucket.take(997_050)).toBe(true);
  });

  it("charges nothing for a refused message", () => {
    const bucket = new TokenBucket(20, 0);
    taken(bucket, 40, 0);
    expect(taken(bucket, 4, 10, 10)).toBe(0);
    expect(bucket.take(50)).toBe(true);
  });

  it("saves up no more than one burst however long the client was idle", () => {
    const bucket = new TokenBucket(20, 0);
    taken(bucket, 40, 0);
    expect(taken(bucket, 41, 0, 3_600_000)).toBe(40);
  });

  it("never refuses a client at the rate, and refuses one just over it within a minute", () => {
    expect(taken(new TokenBucket(20, 0), 1200, 50)).toBe(1200);
    const over = new TokenBucket(20, 0);
    expect(taken(over, 1200, 45)).toBeLessThan(1200);
  });

  it("reads the clock itself when given none", () => {
    vi.useFakeTimers({ now: 1_000_000 });
    try {
      const bucket = new TokenBucket(1);
      expect([bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, false]);
      vi.advanceTimersByTime(1000);
      expect([bucket.take(), bucket.take()]).toEqual([true, false]);
    } finally {
      vi.useRealTimers();
    }
  });
});
