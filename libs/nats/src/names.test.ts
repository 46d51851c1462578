import { describe, expect, it } from "vitest";
import {
  bidderKey,
  isSafeToken,
  keyPair,
  lotIdFromSubject,
  lotSubject,
  watchKey,
} from "./names.ts";

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

describe("two-token KV keys", () => {
  it("puts the lot first in watch keys and the user first in bidder keys", () => {
    expect(watchKey("lot-1", "user-1")).toBe("lot-1.user-1");
    expect(bidderKey("user-1", "lot-1")).toBe("user-1.lot-1");
    expect(keyPair(watchKey("lot-1", "user-1"))).toEqual(["lot-1", "user-1"]);
  });

  it("refuses unsafe tokens, and reads no pair from other keys", () => {
    expect(() => watchKey("lot.1", "user")).toThrow(/not a safe key token/);
    expect(() => bidderKey("user", "*")).toThrow(/not a safe key token/);
    for (const key of ["one", "a.b.c", ".b", "a.", "a.>"]) expect(keyPair(key)).toBeUndefined();
  });
});
