import { describe, expect, it } from "vitest";
import { formatMoney, parseAmount, toDecimal } from "./money.ts";

describe("money", () => {
  it("formats minor units exactly, beyond 2^53 too", () => {
    expect(formatMoney({ currency: "EUR", amountMinor: "1250" })).toBe("12.50 EUR");
    expect(formatMoney({ currency: "EUR", amountMinor: "123456789" })).toBe("1,234,567.89 EUR");
    expect(formatMoney({ currency: "EUR", amountMinor: "90071992547409930" })).toMatch(/\.30 EUR$/);
  });

  it("parses what people type, and refuses the rest", () => {
    expect(parseAmount("12")).toBe("1200");
    expect(parseAmount(" 12.5 ")).toBe("1250");
    expect(parseAmount("12,05")).toBe("1205");
    for (const bad of ["", "-1", "1.234", "abc", "1e5"]) expect(parseAmount(bad)).toBeUndefined();
    expect(toDecimal("1205")).toBe("12.05");
  });
});
