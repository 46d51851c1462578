/**
 * The push gateway's fan-out and idle memory, side by side in one run with Socket.IO
 * (Redis adapter) and a bare `ws` + NATS floor: each system is two server processes, all
 * clients follow one lot channel, half on each server (see push-systems.ts).
 *
 *   npm run bench:push -- [--clients 10000] [--rates 2,3,4,5,6,8,10,15,20] [--seconds 8]
 *                         [--systems gavel,gavel-sse,socketio,bare] [--runs 1]
 *                         [--profile-rate 5]
 *
 * Per system: start the servers, measure their memory (after full GCs, through the
 * inspector), open the clients, measure again, then raise the publish rate step by step
 * until the system saturates twice in a row: p99 over 1 s, or more than 1 s worth of
 * deliveries still owed at the end of the window. --profile-rate takes a CPU profile of one server per system during that rate's
 * window and prints its top self-time functions (it slows that server: do not record
 * figures from a profiled run). Progress goes to stderr, tables to stdout.
 */
import { randomUUID } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { startNatsServer } from "@gavel/testing";
import { outsideCpuPercent } from "./cpu-time.ts";
import { InspectorSession, selfTimeByArea, topSelfTime } from "./node-inspector.ts";
import { perConnection, pct, printReport, type SystemRun } from "./push-fanout-report.ts";
import { runStep, type StepResult } from "./push-fanout-step.ts";
import { LoadFleet } from "./push-load-fleet.ts";
import { startSystem, SYSTEMS, type RunningSystem, type SystemName } from "./push-systems.ts";
import { printTable } from "@gavel/loadgen";
import type { ClientImplementation } from "./text-socket.ts";

const { values: args } = parseArgs({
  options: {
    clients: { type: "string", default: "10000" },
    rates: { type: "string", default: "2,3,4,5,6,8,10,15,20" },
    seconds: { type: "string", default: "8" },
    warmup: { type: "string", default: "2" },
    systems: { type: "string", default: SYSTEMS.join(",") },
    runs: { type: "string", default: "1" },
    generators: { type: "string", default: "4" },
    "sample-every": { type: "string", default: "10" },
    client: { type: "string", default: "raw" },
    "profile-rate": { type: "string" },
    "max-outside-cpu": { type: "string", default: "25" },
  },
});
const CLIENTS = Number(args.clients);
const RATES = args.rates.split(",").map(Number);
const RUNS = Number(args.runs);
const SYSTEMS_RUN = args.systems.split(",") as SystemName[];
const CLIENT = args.client as ClientImplementation;
if (CLIENT !== "raw" && CLIENT !== "ws") throw new Error("--client must be raw or ws");
const MAX_OUTSIDE_CPU = Number(args["max-outside-cpu"]);
const PROFILE_RATE = args["profile-rate"] === undefined ? undefined : Number(args["profile-rate"]);
for (const name of SYSTEMS_RUN)
  if (!SYSTEMS.includes(name)) throw new Error(`--systems: ${name} is not one of ${SYSTEMS}`);
const STEP = {
  warmupMs: Number(args.warmup) * 1000,
  windowMs: Number(args.seconds) * 1000,
  drainMs: 10_000,
  maxLagMs: 1_000,
};

const progress = (line: string) => process.stderr.write(`${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const nats = await startNatsServer({
  ...process.env,
  GAVEL_TEST_NATS: process.env.GAVEL_TEST_NATS ?? "binary",
});
let stopping: Promise<void> | undefined;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    progress(`${signal}: stopping every process the bench started`);
    stopping ??= nats.stop().finally(() => process.exit(130)); // children die on exit
  });
}

const results = new Map<SystemName, SystemRun[]>(SYSTEMS_RUN.map((s) => [s, []]));
const started = performance.now();
try {
  for (let run = 1; run <= RUNS; run++) {
    for (const name of SYSTEMS_RUN) {
      progress(`\n${name}, run ${run}/${RUNS}`);
      results.get(name)!.push(await measure(name));
    }
  }
} finally {
  await nats.stop();
}
progress(`\ndone in ${Math.round((performance.now() - started) / 1000)} s`);
printReport(
  results,
  RATES,
  `Push fan-out: ${CLIENTS} clients (${CLIENT} WebSocket client) on one lot, two servers per ` +
    `system, ${args.seconds} s windows, median of ${RUNS} run(s) (NATS: ${nats.kind})`,
);

async function measure(name: SystemName): Promise<SystemRun> {
  const lotId = randomUUID();
  const system = await startSystem(name, nats.url, lotId);
  const sessions: InspectorSession[] = [];
  let fleet: LoadFleet | undefined;
  try {
    for (const url of system.inspectors) sessions.push(await InspectorSession.open(url));
    const before = await Promise.all(sessions.map((s) => s.memoryAfterGc()));
    await quietMachine();
    progress(`  opening ${CLIENTS} ${system.client} clients`);
    const t = performance.now();
    fleet = await LoadFleet.connect({
      kind: system.client,
      urls: system.urls,
      lotId,
      clients: CLIENTS,
      processes: Number(args.generators),
      sampleEvery: Number(args["sample-every"]),
      implementation: CLIENT,
    });
    progress(`  ${fleet.open} following in ${Math.round(performance.now() - t)} ms`);
    await sleep(2_000);
    const after = await Promise.all(sessions.map((s) => s.memoryAfterGc()));
    progress(`  idle: ${perConnection(after, before, fleet.open, "rss")} KiB RSS per connection`);
    const steps: SystemRun["steps"] = [];
    for (const rate of RATES) {
      const step = await stepOnQuietMachine(system, fleet, rate, sessions[0]!, name);
      steps.push(step);
      // Two saturated steps in a row: past the plateau.
      if (step.saturated && steps.at(-2)?.saturated) break;
    }
    return { connections: fleet.open, failed: fleet.failed, before, after, steps };
  } finally {
    await fleet?.close();
    sessions.forEach((s) => s.close());
    await system.stop();
  }
}

/**
 * Runs a step, again (up to twice more) when processes that are not the bench's took more
 * than --max-outside-cpu of a core during its window: the machine is shared.
 */
async function stepOnQuietMachine(
  system: RunningSystem,
  fleet: LoadFleet,
  rate: number,
  session: InspectorSession,
  name: SystemName,
): Promise<StepResult & { disturbed: boolean }> {
  for (let attempt = 1; ; attempt++) {
    await quietMachine();
    const profiled = rate === PROFILE_RATE ? profiler(name, rate, session) : undefined;
    const step = await runStep(system, fleet, rate, STEP, profiled);
    const disturbed = step.outsideCpu > MAX_OUTSIDE_CPU;
    progress(
      `  ${rate} events/s: ${Math.round(step.delivered)}/${Math.round(step.offered)} deliveries/s, ` +
        `p50 ${step.p50.toFixed(1)} ms, p99 ${step.p99.toFixed(1)} ms, lag ${step.lag.toFixed(2)} s, ` +
        `closed ${step.closed}; CPU % servers ${Math.round(step.serverCpu)} ` +
        `(${pct(step.serverKernelShare)} kernel, ${step.serverMicrosPerDelivery.toFixed(1)} us and ` +
        `${step.serverWritesPerDelivery.toFixed(2)} writes per delivery), ` +
        `clients ${Math.round(step.clientCpu)} (${pct(step.clientKernelShare)} kernel, ` +
        `${step.clientReadsPerDelivery.toFixed(2)} reads per delivery), ` +
        `broker+publisher ${Math.round(step.brokerCpu)}, not the bench ${Math.round(step.outsideCpu)}` +
        (step.saturated ? " (saturated)" : "") +
        (disturbed ? " (disturbed)" : ""),
    );
    if (!disturbed || attempt === 3) return { ...step, disturbed };
  }
}

/** Waits (up to two minutes) until the rest of the machine leaves the bench its cores. */
async function quietMachine(): Promise<void> {
  const deadline = performance.now() + 120_000;
  let told = false;
  while (performance.now() < deadline) {
    const outside = await outsideCpuPercent(1_000);
    if (outside <= MAX_OUTSIDE_CPU) return;
    if (!told) progress(`  waiting for other processes to leave the CPU (${Math.round(outside)}%)`);
    told = true;
  }
}

/** Profiles one server during a step's window; prints the top and keeps the file. */
function profiler(name: SystemName, rate: number, session: InspectorSession) {
  return {
    start: () => session.startProfile(),
    async stop() {
      const profile = await session.stopProfile();
      const file = join(tmpdir(), `push-bench-${name}-${rate}.cpuprofile`);
      await writeFile(file, JSON.stringify(profile));
      console.log(`\nCPU profile of one ${name} server at ${rate} events/s (${file})\n`);
      printTable(selfTimeByArea(profile, 12));
      console.log("");
      printTable(topSelfTime(profile, 20));
    },
  };
}
