import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startFrontStack } from "@gavel/testing";

let stack: Awaited<ReturnType<typeof startFrontStack>>;
beforeAll(async () => {
  // The closed-loop run bids as fast as it can from one host: lift the edge's limits.
  stack = await startFrontStack(inject("natsUrl"), "edge", {
    GAVEL_RATE_LIMIT_PER_IP: "100000",
    GAVEL_RATE_LIMIT_PER_USER: "100000",
  });
});
afterAll(() => stack?.stop());

/** Runs the load generator's real entry point for a few seconds; resolves with its output. */
function runLoadgen(env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  const main = fileURLToPath(new URL("../src/main.ts", import.meta.url));
  const child = spawn(process.execPath, [main], {
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (out += chunk.toString()));
  return new Promise((resolve) => child.once("exit", (code) => resolve({ code, out })));
}

/** Both runs: the same small market on the test's edge. */
const market = () => ({
  GAVEL_LOADGEN_EDGE_URL: stack.front.rpcUrl,
  GAVEL_LOADGEN_BIDDERS: "3",
  GAVEL_LOADGEN_LOTS: "2",
});

/** The generated lots and their bids, as the catalog sees them through the edge. */
async function generatedBids(): Promise<{ lots: number; bids: number }> {
  const res = await fetch(`${stack.front.rpcUrl}/v1/lots?status=open&sort=newest`);
  const { items } = (await res.json()) as {
    items: Array<{ bid_count: number; description: string }>;
  };
  const generated = items.filter((l) => l.description.includes("apps/loadgen"));
  return { lots: generated.length, bids: generated.reduce((n, l) => n + l.bid_count, 0) };
}

describe("the load generator", () => {
  it("keeps lots open and bids on them through the REST edge, printing progress", async () => {
    const { code, out } = await runLoadgen({
      ...market(),
      GAVEL_LOADGEN_LOT_SECONDS: "60",
      GAVEL_LOADGEN_BIDS_PER_MINUTE: "240",
      GAVEL_LOADGEN_DURATION_SECONDS: "6",
      GAVEL_LOADGEN_PROGRESS_SECONDS: "2",
    });
    expect(code, out).toBe(0);
    const lines = out.trim().split("\n");
    expect(lines[0]).toContain("3 bidders, 2 lots, 240 bids/min");
    expect(lines.filter((l) => l.startsWith("[loadgen ")).length).toBeGreaterThanOrEqual(3);
    const last = /lots open (\d+) \(created (\d+)\), bids accepted (\d+).*failed (\d+)/.exec(
      lines.at(-1)!,
    );
    expect(last, lines.at(-1)).not.toBeNull();
    const [, open, created, accepted, failed] = last!.map(Number);
    expect({ open, created, failed }).toEqual({ open: 2, created: 2, failed: 0 });
    expect(accepted).toBeGreaterThan(10);

    // The catalog's view of the lots follows the bids by a moment.
    await expect.poll(generatedBids, { timeout: 5000 }).toEqual({ lots: 2, bids: accepted });
  });

  it("signs its users in again on a second run instead of failing", async () => {
    const { code, out } = await runLoadgen({ ...market(), GAVEL_LOADGEN_DURATION_SECONDS: "1" });
    expect(code, out).toBe(0);
    expect(out).toContain("lots open 2 (created 0)");
  });

  it("runs as a closed-loop benchmark with GAVEL_LOADGEN_WORKERS: progress, a table, counts", async () => {
    const before = await generatedBids();
    const { code, out } = await runLoadgen({
      ...market(),
      GAVEL_LOADGEN_WORKERS: "4",
      GAVEL_LOADGEN_DURATION_SECONDS: "4",
      GAVEL_LOADGEN_PROGRESS_SECONDS: "1",
    });
    expect(code, out).toBe(0);
    expect(out).toContain("closed loop: 4 workers, 2 lots, 3 bidders, 4 s");
    expect(out.match(/^\[loadgen \d+s\] bids accepted/gm)?.length).toBeGreaterThanOrEqual(2);
    expect(out).toMatch(
      /^\| workers \| requests\/s \| accepted bids\/s \| refused \| failed \| p50 ms \| p99 ms/m,
    );
    const done = /done: (\d+) requests, accepted (\d+), refused (\d+), failed (\d+)/.exec(out);
    expect(done, out).not.toBeNull();
    const [, requests, accepted, refused, failed] = done!.map(Number);
    expect(failed).toBe(0);
    expect(accepted! + refused!).toBe(requests);
    expect(accepted).toBeGreaterThan(20);
    // Every bid the edge accepted is in the lots' stream, and projected: none lost, none twice.
    await expect
      .poll(generatedBids, { timeout: 5000 })
      .toEqual({ lots: 2, bids: before.bids + accepted! });
  });

  it("refuses a closed-loop run without a duration, naming the setting", async () => {
    const { code, out } = await runLoadgen({ ...market(), GAVEL_LOADGEN_WORKERS: "4" });
    expect(code).toBe(78);
    expect(out).toContain("GAVEL_LOADGEN_DURATION_SECONDS");
  });
});
