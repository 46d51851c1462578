/**
 * What tracing costs on the bid path: the same stack twice, each on its own NATS, one
 * sampling no trace and one every trace. Why: docs/benchmarks.md#tracing-overhead-on-the-bid-path
 *
 *   npm run bench:tracing -- [--path rest|ws] [--seconds 20] [--concurrency 32] [--runs 3]
 *     [--lots 100] [--cpu-prof DIR] [--on-env NAME=VALUE]... [--baseline traces-off|sdk-off]
 */
import { randomUUID } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseCommandLine } from "@gavel/config/command-line";
import { closedLoop, printTable, type RestLot } from "@gavel/load";
import { freePort, mintToken } from "@gavel/testing";
import {
  startBidStack,
  type BidPath,
  type BidStack,
  type StackOptions,
} from "../bidding/bid-stack.ts";
import { startScript } from "../shared/child-servers.ts";
import { outsideCpuSeconds } from "../shared/cpu-time.ts";
import type { CpuProfile } from "../shared/node-inspector.ts";
import { restBidPath } from "../bidding/rest-bid-path.ts";
import { telemetryShare } from "./telemetry-profile.ts";
import { report, runLine, type RunResult } from "./tracing-report.ts";
import { wsBidPath } from "../bidding/ws-bid-path.ts";
import { linuxProc, natsServer, requirePrerequisites } from "../shared/prerequisites.ts";

const { values: args, fail } = parseCommandLine("npm run bench:tracing --", {
  options: {
    path: { type: "string", default: "rest" },
    seconds: { type: "string", default: "20" },
    concurrency: { type: "string", default: "32" },
    runs: { type: "string", default: "3" },
    lots: { type: "string", default: "100" },
    "cpu-prof": { type: "string" },
    "on-env": { type: "string", multiple: true, default: [] },
    baseline: { type: "string", default: "traces-off" },
  },
});
const PATHS: Record<string, BidPath> = { rest: restBidPath, ws: wsBidPath };
const PATH = PATHS[args.path];
if (!PATH) fail("--path must be rest or ws");
const SECONDS = Number(args.seconds);
const CONCURRENCY = Number(args.concurrency);
const RUNS = Number(args.runs);
const LOTS = Number(args.lots);
/**
 * What "off" means: traces-off (default) samples nothing but keeps everything else, the
 * RED metrics and their export included, so the difference is the cost of tracing alone;
 * sdk-off disables the OpenTelemetry SDK altogether (no metrics either).
 */
const BASELINE = args.baseline;
if (BASELINE !== "traces-off" && BASELINE !== "sdk-off")
  fail("--baseline must be traces-off or sdk-off");
const PROFILE_DIR = args["cpu-prof"] ? resolve(args["cpu-prof"]) : undefined;
/** The "on" stack's settings besides the endpoint: every trace, unless --on-env says. */
const ON_ENV: Record<string, string> = {
  OTEL_TRACES_SAMPLER: "always_on",
  ...Object.fromEntries(
    args["on-env"].map((setting) => {
      const [name, ...value] = setting.split("=");
      return [name!, value.join("=")];
    }),
  ),
};
const describe = (env: Record<string, string>) =>
  Object.entries(env)
    .map(([k, v]) => `${k}=${v}`)
    .join(", ");

requirePrerequisites("bench:tracing", [linuxProc, natsServer()]);
await main();
if (PROFILE_DIR) printProfiles(PROFILE_DIR);

async function main(): Promise<void> {
  const sinkPort = await freePort();
  const sink = await startScript(new URL("../shared/otlp-sink.ts", import.meta.url), [
    String(sinkPort),
  ]);
  const sinkUrl = `http://127.0.0.1:${sinkPort}`;
  const spansAtSink = async () =>
    ((await (await fetch(`${sinkUrl}/stats`)).json()) as { spans: number }).spans;
  /** Tokens minted with the test keys, which services started by @gavel/testing trust; more
   * bidders than workers, so a worker is rarely refused only for leading the lot already. */
  const userIds = Array.from({ length: Math.max(64, CONCURRENCY * 2) + 1 }, () => randomUUID());
  const users = await Promise.all(userIds.map(async (id) => ({ id, token: await mintToken(id) })));
  const options = { users, concurrency: CONCURRENCY, profileDir: PROFILE_DIR };
  const stacks: BidStack[] = [];
  try {
    const offEnv: StackOptions["otel"] =
      BASELINE === "sdk-off"
        ? { OTEL_SDK_DISABLED: "true" }
        : { OTEL_EXPORTER_OTLP_ENDPOINT: sinkUrl, OTEL_TRACES_SAMPLER: "always_off" };
    const onEnv = { OTEL_EXPORTER_OTLP_ENDPOINT: sinkUrl, ...ON_ENV };
    stacks.push(await startBidStack(PATH!, { ...options, tracing: "off", otel: offEnv }));
    stacks.push(await startBidStack(PATH!, { ...options, tracing: "on", otel: onEnv }));
    for (const stack of stacks) await measure(stack, await stack.newLots(LOTS), 5, spansAtSink);

    const results = new Map<BidStack, RunResult[]>(stacks.map((s) => [s, []]));
    for (let r = 1; r <= RUNS; r++) {
      // Off first in odd pairs, on first in even ones, so what the order favours cancels.
      for (const stack of r % 2 ? stacks : [...stacks].reverse()) {
        const lots = await stack.newLots(LOTS);
        await measure(stack, lots, 2, spansAtSink); // warm the new lots' caches
        const label = `tracing ${stack.tracing}, run ${r}/${RUNS}`;
        const result = await measure(stack, lots, SECONDS, spansAtSink, label);
        results.get(stack)!.push(result);
        process.stderr.write(`${runLine(label, result)}\n`);
      }
    }
    const settings = { description: PATH!.description, seconds: SECONDS, lots: LOTS, runs: RUNS };
    report(
      { ...settings, workers: CONCURRENCY, off: BASELINE, on: describe(ON_ENV) },
      results.get(stacks[0]!)!,
      results.get(stacks[1]!)!,
    );
  } finally {
    await Promise.all(stacks.map((s) => s.stop()));
    await sink.stop();
  }
}

/**
 * CONCURRENCY workers bidding on random lots of the set for the given time; a progress
 * line every 10 s when `label` names the run.
 */
async function measure(
  stack: BidStack,
  lots: RestLot[],
  seconds: number,
  spansAtSink: () => Promise<number>,
  label?: string,
): Promise<RunResult> {
  const [cpuBefore, spansBefore] = [stack.cpuSeconds(), await spansAtSink()];
  const othersBefore = outsideCpuSeconds();
  const market = stack.market(lots);
  const loop = await closedLoop({
    workers: CONCURRENCY,
    seconds,
    step: () => market.bidOnce(),
    label,
    onProgress: label ? (line) => process.stderr.write(`${line}\n`) : undefined,
  });
  // Counters tick in hundredths: a quiet machine can read a hair below zero.
  const othersCpuPercent = Math.max(0, ((outsideCpuSeconds() - othersBefore) / seconds) * 100);
  const settleSeconds = await settle(stack, spansAtSink);
  const cpuAfter = stack.cpuSeconds();
  return {
    ...loop,
    settleSeconds,
    othersCpuPercent,
    cpuSeconds: Object.fromEntries(
      Object.entries(cpuAfter).map(([app, seconds]) => [app, seconds - cpuBefore[app]!]),
    ),
    spansExported: (await spansAtSink()) - spansBefore,
  };
}

/**
 * Waits until the stack's last spans reached the sink and it is idle (under a tenth of a
 * core for half a second), so the run's late work counts toward it and not the next; the
 * "off" stack waits as long. Returns the seconds it took.
 * Why: docs/benchmarks.md#tracing-overhead-on-the-bid-path
 */
async function settle(stack: BidStack, spansAtSink: () => Promise<number>): Promise<number> {
  const started = performance.now();
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const quietMs = Number(ON_ENV.OTEL_BSP_SCHEDULE_DELAY ?? 5000) + 500;
  const waiting = () => performance.now() - started < 30_000;
  for (let last = -1, changed = 0; waiting(); await sleep(250)) {
    const now = await spansAtSink();
    if (now !== last) [last, changed] = [now, performance.now()];
    else if (performance.now() - changed > quietMs) break;
  }
  const total = () => Object.values(stack.cpuSeconds()).reduce((a, b) => a + b, 0);
  const idleWaitStarted = performance.now();
  for (let before = total(); performance.now() - idleWaitStarted < 30_000;) {
    await sleep(500);
    const now = total();
    if (now - before < 0.05) break;
    before = now;
  }
  return (performance.now() - started) / 1000;
}

/** The telemetry share of each profile written by --cpu-prof (at each process's exit). */
function printProfiles(dir: string): void {
  for (const sub of readdirSync(dir).sort()) {
    for (const file of readdirSync(join(dir, sub)).filter((f) => f.endsWith(".cpuprofile"))) {
      const profile = JSON.parse(readFileSync(join(dir, sub, file), "utf8")) as CpuProfile;
      const share = telemetryShare(profile);
      console.log(`\n${sub}: ${join(dir, sub, file)}, ${share.busy} busy samples\n`);
      printTable(share.byPackage);
      console.log("");
      printTable(share.byFunction);
    }
  }
}
