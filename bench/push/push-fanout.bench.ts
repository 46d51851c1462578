/**
 * The push gateway's fan-out and idle memory beside Socket.IO and a bare `ws` floor; its flags
 * and figures: docs/development.md#running-the-push-benches
 *   npm run bench:push -- [--clients 10000] [--rates 2,3,4,5,6,8,10,15,20] [--seconds 8]
 *     [--systems gavel,gavel-sse,socketio,bare] [--runs 1] [--servers 2] [--lots 1] [--idle]
 *     [--generators 4] [--source-addresses 0] [--profile-rate 5] [--feeds per-channel|shared]
 */
import { randomUUID } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseCommandLine } from "@gavel/config/command-line";
import { cpuPercent, outsideCpuPercent } from "../shared/cpu-time.ts";
import { InspectorSession, selfTimeByArea, topSelfTime } from "../shared/node-inspector.ts";
import {
  perConnection,
  pct,
  printReport,
  type SystemRun,
  type Trial,
} from "./push-fanout-report.ts";
import { runStep, type StepResult } from "./push-fanout-step.ts";
import { LoadFleet } from "./push-load-fleet.ts";
import { startSystem, SYSTEMS, type RunningSystem, type SystemName } from "./push-systems.ts";
import {
  MAX_SOURCE_ADDRESSES,
  socketCapacityProblems,
  sourceAddresses,
} from "./socket-capacity.ts";
import { printTable } from "@gavel/load";
import type { ClientImplementation } from "../shared/text-socket.ts";
import { startBenchNats } from "../shared/bench-nats.ts";
import {
  linuxProc,
  natsServer,
  redisServer,
  requirePrerequisites,
  type Prerequisite,
} from "../shared/prerequisites.ts";

const { values: args, fail } = parseCommandLine("npm run bench:push --", {
  options: {
    clients: { type: "string", default: "10000" },
    rates: { type: "string", default: "2,3,4,5,6,8,10,15,20" },
    seconds: { type: "string", default: "8" },
    warmup: { type: "string", default: "2" },
    systems: { type: "string", default: SYSTEMS.join(",") },
    runs: { type: "string", default: "1" },
    servers: { type: "string", default: "2" },
    lots: { type: "string", default: "1" },
    generators: { type: "string", default: "4" },
    "source-addresses": { type: "string", default: "0" },
    "sample-every": { type: "string", default: "10" },
    client: { type: "string", default: "raw" },
    "profile-rate": { type: "string" },
    "max-outside-cpu": { type: "string", default: "25" },
    feeds: { type: "string" },
    idle: { type: "boolean", default: false },
  },
});
const CLIENT_COUNTS = args.clients.split(",").map(Number);
const RATES = args.idle ? [] : args.rates.split(",").map(Number);
const RUNS = Number(args.runs);
const SERVERS = Number(args.servers);
const LOTS = Number(args.lots);
const GENERATORS = Number(args.generators);
const SOURCE_ADDRESS_COUNT = Number(args["source-addresses"]);
if (!(SOURCE_ADDRESS_COUNT >= 0 && SOURCE_ADDRESS_COUNT <= MAX_SOURCE_ADDRESSES))
  fail(`--source-addresses: 0 to ${MAX_SOURCE_ADDRESSES}`);
const SOURCE_ADDRESSES = sourceAddresses(SOURCE_ADDRESS_COUNT);
const SYSTEMS_RUN = args.systems.split(",") as SystemName[];
const CLIENT = args.client as ClientImplementation;
if (CLIENT !== "raw" && CLIENT !== "ws") fail("--client must be raw or ws");
const MAX_OUTSIDE_CPU = Number(args["max-outside-cpu"]);
const PROFILE_RATE = args["profile-rate"] === undefined ? undefined : Number(args["profile-rate"]);
if (args.feeds !== undefined && args.feeds !== "per-channel" && args.feeds !== "shared")
  fail("--feeds must be per-channel or shared");
const PUSH_ENV: Record<string, string> = args.feeds ? { GAVEL_PUSH_FEEDS: args.feeds } : {};
for (const name of SYSTEMS_RUN)
  if (!SYSTEMS.includes(name)) fail(`--systems: ${name} is not one of ${SYSTEMS.join(", ")}`);
const counts = {
  "--clients": Math.min(...CLIENT_COUNTS),
  "--servers": SERVERS,
  "--lots": LOTS,
  "--generators": GENERATORS,
};
for (const [option, n] of Object.entries(counts))
  if (!Number.isInteger(n) || n < 1) fail(`${option}: ${n} is not a whole number >= 1`);
/** Whether the machine can hold the run's sockets (read from /proc, so Linux only). */
const socketRoom: Prerequisite = () => {
  if (linuxProc()) return undefined; // linuxProc says so itself
  const tooMany = socketCapacityProblems({
    clients: Math.max(...CLIENT_COUNTS),
    servers: SERVERS,
    generators: GENERATORS,
    sourceAddresses: SOURCE_ADDRESSES.length,
  });
  return tooMany.length ? `this machine cannot hold the sockets: ${tooMany.join("; ")}` : undefined;
};
requirePrerequisites("bench:push", [
  linuxProc,
  natsServer(),
  ...(SYSTEMS_RUN.includes("socketio") ? [redisServer] : []),
  socketRoom,
]);
const STEP = {
  warmupMs: Number(args.warmup) * 1000,
  windowMs: Number(args.seconds) * 1000,
  drainMs: 10_000,
  maxLagMs: 1_000,
};

const progress = (line: string) => process.stderr.write(`${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const nats = await startBenchNats();
let stopping: Promise<void> | undefined;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    progress(`${signal}: stopping every process the bench started`);
    stopping ??= nats.stop().finally(() => process.exit(130)); // children die on exit
  });
}

const trials: Trial[] = CLIENT_COUNTS.flatMap((clients) =>
  SYSTEMS_RUN.map((system) => ({ system, clients, lots: LOTS, runs: [] as SystemRun[] })),
);
const started = performance.now();
try {
  for (const clients of CLIENT_COUNTS) {
    for (let run = 1; run <= RUNS; run++) {
      for (const trial of trials.filter((t) => t.clients === clients)) {
        progress(`\n${trial.system}, ${clients} clients, run ${run}/${RUNS}`);
        trial.runs.push(await measure(trial.system, clients));
      }
    }
  }
} finally {
  await nats.stop();
}
progress(`\ndone in ${Math.round((performance.now() - started) / 1000)} s`);
printReport(
  trials,
  RATES,
  `Push fan-out: ${CLIENT_COUNTS.join(" and ")} clients (${CLIENT} WebSocket client) on ` +
    `${LOTS} lot(s), ${SERVERS} servers per system, ${GENERATORS} load generators, ` +
    `${args.seconds} s windows, median of ${RUNS} run(s) (NATS: ${nats.kind})`,
);

async function measure(name: SystemName, clients: number): Promise<SystemRun> {
  const lotIds = Array.from({ length: LOTS }, () => randomUUID());
  const system = await startSystem(name, {
    natsUrl: nats.url,
    lotIds,
    servers: SERVERS,
    pushEnv: PUSH_ENV,
  });
  const sessions: InspectorSession[] = [];
  let fleet: LoadFleet | undefined;
  try {
    for (const url of system.inspectors) sessions.push(await InspectorSession.open(url));
    const before = await Promise.all(sessions.map((s) => s.memoryAfterGc()));
    await quietMachine();
    progress(`  opening ${clients} ${system.client} clients`);
    const t = performance.now();
    fleet = await LoadFleet.connect({
      kind: system.client,
      urls: system.urls,
      lotIds,
      clients,
      processes: GENERATORS,
      sampleEvery: Number(args["sample-every"]),
      localAddresses: SOURCE_ADDRESSES,
      implementation: CLIENT,
    });
    const connectMs = performance.now() - t;
    progress(`  ${fleet.open} following in ${Math.round(connectMs)} ms`);
    await sleep(2_000);
    const after = await Promise.all(sessions.map((s) => s.memoryAfterGc()));
    const idleCpu = await cpuPercent(system.pids, 5_000);
    progress(
      `  idle: ${perConnection(after, before, fleet.open, "rss")} KiB RSS and ` +
        `${perConnection(after, before, fleet.open, "heapUsed")} KiB heap per connection, ` +
        `servers ${Math.round(idleCpu)}% CPU`,
    );
    const steps: SystemRun["steps"] = [];
    for (const rate of RATES) {
      const step = await stepOnQuietMachine(system, fleet, rate, sessions, name);
      steps.push(step);
      // Two saturated steps in a row: past the plateau.
      if (step.saturated && steps.at(-2)?.saturated) break;
    }
    const { open: connections, openByServer, failed } = fleet;
    return { connections, openByServer, failed, connectMs, before, after, idleCpu, steps };
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
  sessions: InspectorSession[],
  name: SystemName,
): Promise<StepResult & { disturbed: boolean }> {
  for (let attempt = 1; ; attempt++) {
    await quietMachine();
    const profiled = rate === PROFILE_RATE ? profiler(name, rate, sessions[0]!) : undefined;
    const step = await runStep(system, fleet, sessions, rate, STEP, profiled);
    const disturbed = step.outsideCpu > MAX_OUTSIDE_CPU;
    progress(
      `  ${rate} events/s: ${Math.round(step.delivered)}/${Math.round(step.offered)} deliveries/s, ` +
        `p50 ${step.p50.toFixed(1)} ms, p99 ${step.p99.toFixed(1)} ms, max ${Math.round(step.max)} ms, ` +
        `lag ${step.lag.toFixed(2)} s, loop delay p99 ${Math.round(step.loopDelayP99)} ms, ` +
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
