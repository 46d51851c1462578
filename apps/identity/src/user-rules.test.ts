import { describe, expect, it } from "vitest";
import { checkSignUp, normalizeEmail } from "./user-rules.ts";

const good = { email: "Ada@Example.com", password: "correct horse", displayName: "Ada" };

describe("checkSignUp", () => {
  it("accepts a well-formed sign-up", () => {
    expect(checkSignUp(good).empty).toBe(true);
  });

  it.each([
    [{ email: "no-at-sign" }, "email"],
    [{ email: "a@b" }, "email"],
    [{ password: "short" }, "password"],
    [{ password: "x".repeat(201) }, "password"],
    [{ displayName: "  " }, "display_name"],
    [{ displayName: "bell\u0007" }, "display_name"],
    [{ displayName: "x".repeat(61) }, "display_name"],
  ])("refuses %j as a bad %s", (change, field) => {
    expect(checkSignUp({ ...good, ...change }).list.map((v) => v.field)).toEqual([field]);
  });

  it("reports every bad field at once", () => {
    expect(checkSignUp({ email: "", password: "", displayName: "" }).list).toHaveLength(3);
  });

  it("compares emails case-insensitively", () => {
    expect(normalizeEmail("  Ada@Example.COM ")).toBe("ada@example.com");
  });
});
