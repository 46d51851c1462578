import { describe, expect, it } from "vitest";
import { formatTimeLeft } from "./countdown.ts";

describe("formatTimeLeft", () => {
  const now = new Date("2030-01-01T00:00:00Z");
  const at = (s: number) => new Date(now.getTime() + s * 1000);
  it("is precise near the end and short far from it", () => {
    expect(formatTimeLeft(at(0), now)).toBe("ended");
    expect(formatTimeLeft(at(9), now)).toBe("9s");
    expect(formatTimeLeft(at(245), now)).toBe("4m 05s");
    expect(formatTimeLeft(at(3840), now)).toBe("1h 04m");
    expect(formatTimeLeft(at(2 * 86_400 + 3 * 3600), now)).toBe("2d 3h");
  });
});
