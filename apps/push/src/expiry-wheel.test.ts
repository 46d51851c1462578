import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ExpiryWheel } from "./expiry-wheel.ts";

const member = () => ({
  expiredAt: [] as number[],
  expire() {
    this.expiredAt.push(Date.now());
  },
});

let wheel: ExpiryWheel;
beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(10_000);
  wheel = new ExpiryWheel(1000);
});
afterEach(() => {
  wheel.stop();
  vi.useRealTimers();
});

describe("ExpiryWheel", () => {
  it("expires each member once, never before its time and at most two resolutions after", () => {
    const [a, b, c] = [member(), member(), member()];
    wheel.add(a, 12_000);
    wheel.add(b, 12_001);
    wheel.add(c, 15_500);
    vi.advanceTimersByTime(1_999);
    expect(a.expiredAt).toEqual([]);
    vi.advanceTimersByTime(10_000);
    expect(a.expiredAt).toHaveLength(1);
    expect(b.expiredAt).toHaveLength(1);
    expect(c.expiredAt).toHaveLength(1);
    for (const [m, at] of [
      [a, 12_000],
      [b, 12_001],
      [c, 15_500],
    ] as const) {
      expect(m.expiredAt[0]).toBeGreaterThanOrEqual(at);
      expect(m.expiredAt[0]).toBeLessThanOrEqual(at + 2_000);
    }
    expect(wheel.size).toBe(0);
  });

  it("expires at once a member whose time has passed", () => {
    const late = member();
    wheel.add(late, 10_000);
    expect(late.expiredAt).toEqual([10_000]);
    expect(wheel.size).toBe(0);
  });

  it("never expires a deleted member, and moves one added again to its new time", () => {
    const [gone, renewed, kept] = [member(), member(), member()];
    wheel.add(gone, 11_000);
    wheel.add(renewed, 11_000);
    wheel.add(kept, 11_000);
    wheel.delete(gone);
    wheel.add(renewed, 30_000);
    vi.advanceTimersByTime(5_000);
    expect([gone.expiredAt, renewed.expiredAt, kept.expiredAt.length]).toEqual([[], [], 1]);
    vi.advanceTimersByTime(30_000);
    expect(gone.expiredAt).toEqual([]);
    expect(renewed.expiredAt[0]).toBeGreaterThanOrEqual(30_000);
  });

  it("keeps one timer however many members, and none once stopped", () => {
    for (let i = 0; i < 100; i++) wheel.add(member(), 20_000 + i * 100);
    expect(vi.getTimerCount()).toBe(1);
    wheel.stop();
    expect(vi.getTimerCount()).toBe(0);
    expect(wheel.size).toBe(0);
  });
});
