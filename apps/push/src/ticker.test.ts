import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Ticker } from "./ticker.ts";

const member = () => ({
  ticks: 0,
  tick() {
    this.ticks++;
  },
});

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe("Ticker", () => {
  it("ticks each member once per interval, however often it was added", () => {
    const ticker = new Ticker(1000);
    const [a, b] = [member(), member()];
    ticker.add(a);
    ticker.add(a);
    ticker.add(b);
    vi.advanceTimersByTime(999);
    expect([a.ticks, b.ticks]).toEqual([0, 0]);
    vi.advanceTimersByTime(1);
    expect([a.ticks, b.ticks]).toEqual([1, 1]);
    vi.advanceTimersByTime(3000);
    expect([a.ticks, b.ticks]).toEqual([4, 4]);
    ticker.stop();
  });

  it("ticks and counts a member no more once it is deleted, and nobody once stopped", () => {
    const ticker = new Ticker(1000);
    const [a, b] = [member(), member()];
    ticker.add(a);
    ticker.add(b);
    vi.advanceTimersByTime(1000);
    ticker.delete(a);
    expect([ticker.size, [...ticker]]).toEqual([1, [b]]);
    vi.advanceTimersByTime(1000);
    expect([a.ticks, b.ticks]).toEqual([1, 2]);
    ticker.stop();
    vi.advanceTimersByTime(5000);
    expect(b.ticks).toBe(2);
    expect(vi.getTimerCount()).toBe(0);
  });
});
