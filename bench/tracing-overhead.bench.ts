/**
 * What tracing costs on the bid path (issue 6): the same stack twice, catalog, bidding
 * and the REST edge as real processes, each stack on its own NATS (the catalog's
 * projector is one durable consumer per NATS, which two stacks would share). One stack
 * samples no trace (OTEL_TRACES_SAMPLER=always_off) but records and exports its RED
 * metrics; the other also samples every trace (always_on). Both export over OTLP/HTTP
 * protobuf, the SDK's default, to otlp-sink.ts, a real receiver that counts and discards.
 * --baseline sdk-off runs the first stack with no telemetry at all (OTEL_SDK_DISABLED).
 *
 * Workers bid through POST /v1/lots/{id}/bids over fresh lots with the load generator's
 * market and closed loop (@gavel/loadgen); refused bids (409) are a normal outcome and
 * counted apart. Runs alternate off, on, off, on... so drift on the
 * shared machine hits both alike; the table shows the medians and the overhead.
 *
 *   npm run bench:tracing -- [--seconds 20] [--concurrency 32] [--runs 3] [--lots 100]
 *     [--cpu-prof DIR]          # CPU profiles of both stacks' edge and bidding, and
 *                               # the share of their CPU spent in telemetry code
 *     [--on-env NAME=VALUE]...  # more settings for the "on" stack, to find where the
 *                               # cost goes, e.g. OTEL_METRICS_EXPORTER=none
 *     [--baseline traces-off|sdk-off]
 */
import { randomUUID } from "node:crypto";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import {
  closedLoop,
  EdgeHttp,
  Market,
  median,
  percentile,
  printTable,
  UserClient,
  type RestLot,
} from "@gavel/loadgen";
import {
  freePort,
  mintToken,
  serviceEnv,
  startService,
  type NatsServerHandle,
  type ServiceProcess,
} from "@gavel/testing";
import { processCpuSeconds } from "./cpu-time.ts";
import type { CpuProfile } from "./node-inspector.ts";
import { telemetryShare } from "./telemetry-profile.ts";
import { startBenchNats } from "./bench-nats.ts";

const { values: args } = parseArgs({
  options: {
    seconds: { type: "string", default: "20" },
    concurrency: { type: "string", default: "32" },
    runs: { type: "string", default: "3" },
    lots: { type: "string", default: "100" },
    "cpu-prof": { type: "string" },
    "on-env": { type: "string", multiple: true, default: [] },
    baseline: { type: "string", default: "traces-off" },
  },
});
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
  throw new Error("--baseline must be traces-off or sdk-off");
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

interface Stack {
  tracing: "off" | "on";
  nats: NatsServerHandle;
  services: ServiceProcess[];
  /** Keep-alive connections to the stack's edge, and the users acting through them. */
  http?: EdgeHttp;
  seller?: UserClient;
  bidders: UserClient[];
}

interface RunResult {
  requests: number;
  accepted: number;
  refused: number;
  failed: number;
  latenciesMs: number[];
  /** CPU seconds of the stack's catalog, bidding and edge during the run. */
  cpuSeconds: number;
  spansExported: number;
  /** How long the stack kept working after the run (see settle). */
  settleSeconds: number;
}

/** What each run is judged by; the overhead table compares these. */
const measures: Record<string, (r: RunResult) => number> = {
  "requests/s": (r) => r.requests / SECONDS,
  "p50 ms": (r) => percentile(r.latenciesMs, 50),
  "p99 ms": (r) => percentile(r.latenciesMs, 99),
  "CPU ms/request": (r) => (r.cpuSeconds * 1000) / r.requests,
};

const sinkPort = await freePort();
const sink = spawn(process.execPath, ["otlp-sink.ts", String(sinkPort)], {
  cwd: import.meta.dirname,
  stdio: ["ignore", "pipe", "inherit"],
});
process.once("exit", () => sink.kill());
const sinkUrl = `http://127.0.0.1:${sinkPort}`;
const stacks: Stack[] = [];
/** Tokens minted with the test keys, which services started by @gavel/testing trust; more
 * bidders than workers, so a worker is rarely refused only for leading the lot already. */
const userIds = Array.from({ length: Math.max(64, CONCURRENCY * 2) + 1 }, () => randomUUID());
const tokens = await Promise.all(userIds.map((id) => mintToken(id)));
try {
  await once(sink.stdout!, "data");
  await startStack(
    "off",
    BASELINE === "sdk-off"
      ? { OTEL_SDK_DISABLED: "true" }
      : { OTEL_EXPORTER_OTLP_ENDPOINT: sinkUrl, OTEL_TRACES_SAMPLER: "always_off" },
  );
  await startStack("on", { OTEL_EXPORTER_OTLP_ENDPOINT: sinkUrl, ...ON_ENV });
  for (const stack of stacks) await measure(stack, await newLots(stack), 5);

  const results = new Map<Stack, RunResult[]>(stacks.map((s) => [s, []]));
  for (let r = 1; r <= RUNS; r++) {
    for (const stack of stacks) {
      const lots = await newLots(stack);
      await measure(stack, lots, 2); // warm the new lots' caches
      const result = await measure(
        stack,
        lots,
        SECONDS,
        `tracing ${stack.tracing}, run ${r}/${RUNS}`,
      );
      results.get(stack)!.push(result);
      process.stderr.write(
        `tracing ${stack.tracing}, run ${r}/${RUNS}: ${result.requests} requests, ${result.accepted} accepted, ${result.refused} refused, ${result.failed} failed, ${((result.cpuSeconds * 1000) / result.requests).toFixed(2)} CPU ms/request, ${result.spansExported} spans exported, idle ${result.settleSeconds.toFixed(1)} s after\n`,
      );
    }
  }
  report(results.get(stacks[0]!)!, results.get(stacks[1]!)!);
} finally {
  stacks.forEach((s) => s.http?.close());
  await Promise.all(stacks.flatMap((s) => s.services.map((p) => p.stop())));
  await Promise.all(stacks.map((s) => s.nats.stop()));
  sink.kill();
}
if (PROFILE_DIR) printProfiles(PROFILE_DIR);

/** Starts a stack and adds it to `stacks` first, so a failed start still stops it all. */
async function startStack(tracing: Stack["tracing"], otel: Record<string, string>) {
  const nats = await startBenchNats();
  const stack: Stack = { tracing, nats, services: [], bidders: [] };
  stacks.push(stack);
  const env = { ...serviceEnv(nats.url), LOG_LEVEL: "warn", ...otel };
  const [catalog, bidding] = [
    await startTracked(stack, "catalog", env),
    await startTracked(stack, "bidding", env),
  ];
  const edge = await startTracked(stack, "edge", {
    ...env,
    GAVEL_CATALOG_URL: catalog.rpcUrl,
    GAVEL_BIDDING_URL: bidding.rpcUrl,
    // One client host and a few dozen users: lift the limits so they never refuse.
    GAVEL_RATE_LIMIT_PER_IP: "1000000",
    GAVEL_RATE_LIMIT_PER_USER: "1000000",
  });
  const http = new EdgeHttp(edge.rpcUrl, CONCURRENCY);
  const [seller, ...bidders] = userIds.map((id, i) => new UserClient(http, id, tokens[i]!));
  Object.assign(stack, { http, seller, bidders });
}

/** Lists LOTS open lots through the stack's edge, as its seller. */
async function newLots(stack: Stack): Promise<RestLot[]> {
  const lots: RestLot[] = [];
  for (let i = 0; i < LOTS; i++) {
    const draft = {
      title: `Bench lot ${i}`,
      starting_price: { currency: "EUR", amount_minor: 100 },
      ends_at: new Date(Date.now() + 3600_000).toISOString(),
    };
    lots.push(await stack.seller!.createLot(draft, randomUUID()));
  }
  return lots;
}

async function startTracked(
  stack: Stack,
  app: "catalog" | "bidding" | "edge",
  env: Record<string, string>,
): Promise<ServiceProcess> {
  const profiled = PROFILE_DIR && app !== "catalog";
  const dir = profiled ? join(PROFILE_DIR, `${stack.tracing}-${app}`) : undefined;
  if (dir) mkdirSync(dir, { recursive: true });
  const started = await startService(
    app,
    dir ? { ...env, NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${dir}` } : env,
  );
  stack.services.push(started);
  return started;
}

/**
 * CONCURRENCY workers bidding on random lots of the set for the given time; a progress
 * line every 10 s when `label` names the run.
 */
async function measure(
  stack: Stack,
  lots: RestLot[],
  seconds: number,
  label?: string,
): Promise<RunResult> {
  const [cpuBefore, spansBefore] = [stackCpuSeconds(stack), await spansAtSink()];
  const market = new Market(stack.bidders, lots);
  const loop = await closedLoop({
    workers: CONCURRENCY,
    seconds,
    step: () => market.bidOnce(),
    label,
    onProgress: label ? (line) => process.stderr.write(`${line}\n`) : undefined,
  });
  const settleSeconds = await settle(stack);
  return {
    ...loop,
    settleSeconds,
    cpuSeconds: stackCpuSeconds(stack) - cpuBefore,
    spansExported: (await spansAtSink()) - spansBefore,
  };
}

/**
 * Waits until the stack is idle again (under a tenth of a core for half a second): the
 * catalog projects the run's events after the fact, and the "on" stack exports its last
 * spans. That work belongs to the run's CPU per request, and must not land in the next
 * run, which measures the other stack. Returns the seconds it took.
 */
async function settle(stack: Stack): Promise<number> {
  const started = performance.now();
  for (let before = stackCpuSeconds(stack); performance.now() - started < 30_000;) {
    await new Promise((r) => setTimeout(r, 500));
    const now = stackCpuSeconds(stack);
    if (now - before < 0.05) break;
    before = now;
  }
  return (performance.now() - started) / 1000;
}

function stackCpuSeconds(stack: Stack): number {
  return stack.services.reduce((sum, p) => {
    const { user, kernel } = processCpuSeconds(p.pid);
    return sum + user + kernel;
  }, 0);
}

async function spansAtSink(): Promise<number> {
  const stats = (await (await fetch(`${sinkUrl}/stats`)).json()) as { spans: number };
  return stats.spans;
}

function report(off: RunResult[], on: RunResult[]): void {
  const row = (tracing: string, runs: RunResult[]) => ({
    tracing,
    "requests/s": median(runs.map(measures["requests/s"]!)),
    "accepted bids/s": median(runs.map((r) => r.accepted / SECONDS)),
    "p50 ms": median(runs.map(measures["p50 ms"]!)),
    "p99 ms": median(runs.map(measures["p99 ms"]!)),
    failed: runs.reduce((n, r) => n + r.failed, 0),
    "CPU ms/request": median(runs.map(measures["CPU ms/request"]!)),
    // Only the "on" stack exports spans; the sink counts what arrived during its runs.
    "spans/request": tracing === "on" ? median(runs.map((r) => r.spansExported / r.requests)) : "-",
  });
  console.log(
    `\nBids through the REST edge, tracing off (${BASELINE}) vs on (${Object.entries(ON_ENV)
      .map(([k, v]) => `${k}=${v}`)
      .join(
        ", ",
      )}; OTLP/HTTP protobuf), ${SECONDS} s per run, ${CONCURRENCY} workers over ${LOTS} lots, median of ${RUNS} runs each, alternating\n`,
  );
  printTable([row("off", off), row("on", on)]);

  // Run i of "on" ran right after run i of "off": their ratio sees the least drift.
  const percent = (from: number, to: number) => ((to - from) / from) * 100;
  const overhead = Object.entries(measures).map(([measure, of]) => ({
    measure,
    "change of the medians": percent(median(off.map(of)), median(on.map(of))),
    "median change per pair": median(off.map((r, i) => percent(of(r), of(on[i]!)))),
  }));
  console.log("\nTracing on against off, in % (+ is more):\n");
  printTable(overhead);
  const [throughput, , p99] = overhead;
  const met = -throughput!["change of the medians"] < 10 && p99!["change of the medians"] < 10;
  console.log(
    `\nTarget (under 10% on throughput and p99, from the medians): ${met ? "met" : "NOT met"}`,
  );
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
