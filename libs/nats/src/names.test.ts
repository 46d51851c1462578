import { describe, expect, it } from "vitest";
import { isSafeToken, lotIdFromSubject, lotSubject } from "./names.ts";

describe("subject tokens", () => {
  it.each(["a", "0197a4b2-7c1e-7000-8000-000000000000", "A_b-9"])("accepts %s", (id) => {
    expect(isSafeToken(id)).toBe(true);
    expect(lotIdFromSubject(lotSubject(id))).toBe(id);
  });

  it.each(["", "a.b", "*", ">", "a b", "a\nb", "x".repeat(65), "é"])("refuses %j", (id) => {
    expect(isSafeToken(id)).toBe(false);
    expect(() => lotSubject(id)).toThrow(/not a safe subject token/);
  });
});
