import { expect, test } from "vitest";
import { helm, namespace, release } from "./cluster.ts";

test("helm test: two users, a lot, a bid seen on the lot's SSE stream", async () => {
  const result = await helm([
    "test",
    release,
    "--namespace",
    namespace,
    "--logs",
    "--timeout",
    "3m",
  ]);
  expect(result.stdout + result.stderr).toContain("smoke: passed");
  expect(result.code, result.stderr).toBe(0);
}, 240_000);
