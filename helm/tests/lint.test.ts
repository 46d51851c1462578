import { describe, expect, test } from "vitest";
import { helm, variations } from "./chart.ts";

describe("helm lint --strict", () => {
  test.each(variations)("passes with $name", async ({ args }) => {
    const result = await helm(["lint", "--strict", ".", ...args]);
    expect(result.stderr + result.stdout).toContain("0 chart(s) failed");
    expect(result.code).toBe(0);
  });
});
