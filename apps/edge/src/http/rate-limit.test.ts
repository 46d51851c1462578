import { describe, expect, it } from "vitest";
import {
  counterKey,
  counterTtlMs,
  fixedWindow,
  limitField,
  policyField,
  type RateLimitPolicy,
} from "./rate-limit.ts";

const perIp: RateLimitPolicy = { name: "per-ip", quota: 300, windowSeconds: 60 };
const at = (iso: string) => Date.parse(iso);

describe("fixed windows", () => {
  it("aligns windows on the epoch, so every replica picks the same one", () => {
    expect(fixedWindow(at("2026-01-01T10:00:00.000Z"), 60).start).toBe(
      at("2026-01-01T10:00:00.000Z") / 1000,
    );
    expect(fixedWindow(at("2026-01-01T10:00:59.999Z"), 60).start).toBe(
      at("2026-01-01T10:00:00.000Z") / 1000,
    );
    expect(fixedWindow(at("2026-01-01T10:01:00.000Z"), 60).start).toBe(
      at("2026-01-01T10:01:00.000Z") / 1000,
    );
    expect(fixedWindow(at("2026-01-01T10:00:17.000Z"), 10).start).toBe(
      at("2026-01-01T10:00:10.000Z") / 1000,
    );
  });

  it("counts whole seconds to the next window, from the full window down to 1, never 0", () => {
    expect(fixedWindow(at("2026-01-01T10:00:00.000Z"), 60).resetSeconds).toBe(60);
    expect(fixedWindow(at("2026-01-01T10:00:00.001Z"), 60).resetSeconds).toBe(60);
    expect(fixedWindow(at("2026-01-01T10:00:18.000Z"), 60).resetSeconds).toBe(42);
    expect(fixedWindow(at("2026-01-01T10:00:58.500Z"), 60).resetSeconds).toBe(2);
    expect(fixedWindow(at("2026-01-01T10:00:59.999Z"), 60).resetSeconds).toBe(1);
  });
});

describe("counter keys", () => {
  it("keys a user's counter by scope, window length, id and window start", () => {
    expect(counterKey({ ...perIp, name: "per-user" }, "0197a4b2-7c1e", 1_767_261_600)).toBe(
      "per-user-60s.0197a4b2-7c1e.1767261600",
    );
  });

  it("hashes ids that cannot be a key token, keeping different addresses apart", () => {
    const v4 = counterKey(perIp, "203.0.113.7", 60);
    const v6 = counterKey(perIp, "2001:db8::7", 60);
    for (const key of [v4, v6]) {
      expect(key).toMatch(/^per-ip-60s\.[A-Za-z0-9_-]{43}\.60$/);
    }
    expect(v4).not.toBe(v6);
    expect(counterKey(perIp, "203.0.113.7", 60)).toBe(v4);
  });

  it("gives different window lengths different counters", () => {
    expect(counterKey(perIp, "u1", 600)).not.toBe(
      counterKey({ ...perIp, windowSeconds: 10 }, "u1", 600),
    );
  });

  it("keeps counters a little longer than their window", () => {
    expect(counterTtlMs(60)).toBeGreaterThan(60_000);
    expect(counterTtlMs(60)).toBeLessThanOrEqual(2 * 60_000);
  });
});

describe("RateLimit header fields", () => {
  it("writes the policy and the service limit as structured-field items", () => {
    expect(policyField(perIp)).toBe('"per-ip";q=300;w=60');
    expect(limitField(perIp, 297, 42)).toBe('"per-ip";r=297;t=42');
  });
});
