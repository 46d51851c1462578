import { spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

/** Starts the fixture, sends SIGTERM once it is ready; resolves with its exit and output. */
async function terminate(mode: "ok" | "hang") {
  const fixture = fileURLToPath(new URL("../test/shutdown-fixture.ts", import.meta.url));
  const child = spawn(process.execPath, [fixture, mode], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
  await new Promise<void>((resolve) =>
    child.stdout.on("data", () => out.includes("ready") && resolve()),
  );
  const signalled = performance.now();
  child.kill("SIGTERM");
  const [code] = (await once(child, "exit")) as [number | null];
  return { code, out, ms: performance.now() - signalled };
}

describe("onShutdownSignal", () => {
  it("runs the steps and exits 0", async () => {
    const { code, out } = await terminate("ok");
    expect(code, out).toBe(0);
    expect(out).toContain('"msg":"stopped"');
  });

  it("exits 1 when a step outlives the grace period and margin, instead of hanging", async () => {
    const { code, out, ms } = await terminate("hang");
    expect(code, out).toBe(1);
    expect(out).toContain("shutdown did not finish in time");
    expect(out).toContain('"deadline_ms":400');
    expect(ms).toBeGreaterThanOrEqual(390);
    expect(ms).toBeLessThan(5000);
  });
});
