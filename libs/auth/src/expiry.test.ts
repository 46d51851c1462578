import { afterEach, describe, expect, it, vi } from "vitest";
import { onExpiry } from "./expiry.ts";

afterEach(() => vi.useRealTimers());

describe("onExpiry", () => {
  it("fires once at the expiry, not before, even past setTimeout's longest delay", () => {
    vi.useFakeTimers({ now: 0 });
    const fired = vi.fn();
    const days40 = 40 * 24 * 3600_000;
    onExpiry(days40, fired);
    vi.advanceTimersByTime(days40 - 1);
    expect(fired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(fired).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(days40);
    expect(fired).toHaveBeenCalledTimes(1);
  });

  it("fires at once for a past expiry, and never once cancelled", () => {
    vi.useFakeTimers({ now: 10_000 });
    const past = vi.fn();
    onExpiry(9_999, past);
    expect(past).toHaveBeenCalledTimes(1);

    const cancelled = vi.fn();
    const cancel = onExpiry(20_000, cancelled);
    cancel();
    vi.advanceTimersByTime(60_000);
    expect(cancelled).not.toHaveBeenCalled();
  });
});
