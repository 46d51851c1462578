import { describe, expect, it } from "vitest";
import { decimalAmount } from "./decimal-amount.ts";

describe("decimalAmount", () => {
  it("writes minor units with two decimal places", () => {
    expect(decimalAmount(1250n)).toBe("12.50");
    expect(decimalAmount(1205n)).toBe("12.05");
    expect(decimalAmount(7n)).toBe("0.07");
    expect(decimalAmount(0n)).toBe("0.00");
  });

  it("puts the sign before the whole amount, also below one unit", () => {
    expect(decimalAmount(-5n)).toBe("-0.05");
    expect(decimalAmount(-123456n)).toBe("-1234.56");
  });

  it("stays exact past 2^53", () => {
    expect(decimalAmount(9_007_199_254_740_993n)).toBe("90071992547409.93");
  });

  it("groups thousands only when asked", () => {
    expect(decimalAmount(123456789n, { grouped: true })).toBe("1,234,567.89");
    expect(decimalAmount(-100000n, { grouped: true })).toBe("-1,000.00");
    expect(decimalAmount(123456789n)).toBe("1234567.89");
  });
});
