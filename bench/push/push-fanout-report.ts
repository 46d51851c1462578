/**
 * The push fan-out bench's tables (see push-fanout.bench.ts): connecting and idle memory
 * per connection (and its ratio to the bare floor's in the same run), Gavel's idle-memory
 * targets, each system's steps, a summary with Gavel's targets against Socket.IO, and
 * with several client counts, the same offered load side by side.
 */
import { execFileSync } from "node:child_process";
import { repoRoot } from "@gavel/testing";
import type { Memory } from "../shared/node-inspector.ts";
import type { StepResult } from "./push-fanout-step.ts";
import type { SystemName } from "./push-systems.ts";
import { median, printTable } from "@gavel/load";

/** One system's measurements in one run. */
export interface SystemRun {
  connections: number;
  /** Connections per server, in the order of `before` and `after`. */
  openByServer: number[];
  failed: number;
  /** From the first connection attempt until every client followed its lot or failed. */
  connectMs: number;
  /** Each server's memory before and after the clients connected. */
  before: Memory[];
  after: Memory[];
  /** The servers' CPU with every client connected and nothing published, % of one core. */
  idleCpu: number;
  steps: Array<StepResult & { disturbed: boolean }>;
}

/** One system at one client count, over the runs. */
export interface Trial {
  system: SystemName;
  clients: number;
  /** Lots the clients are spread over. */
  lots: number;
  runs: SystemRun[];
}

export function perConnection(
  after: Memory[],
  before: Memory[],
  connections: number,
  key: keyof Memory,
) {
  const grown = after.reduce((sum, m, i) => sum + m[key] - before[i]![key], 0);
  return Math.round((grown / Math.max(1, connections) / 1024) * 10) / 10;
}

export function pct(share: number): string {
  return `${(share * 100).toFixed(1)}%`;
}

/**
 * Prints the connection and memory tables, a fan-out table per trial, the summary, the
 * targets, and the offered loads that several client counts share.
 */
export function printReport(trials: Trial[], rates: number[], title: string) {
  console.log(`\n${title}; Gavel at ${codeVersion()}`);
  console.log(
    "\nConnecting, and idle memory per connection (all servers, after full GCs; x bare: " +
      "against the bare ws floor's in this run)\n",
  );
  const floorOf = (clients: number) =>
    trials.find((t) => t.system === "bare" && t.clients === clients);
  printTable(trials.map((trial) => memoryRow(trial, floorOf(trial.clients))));
  console.log("\nEach server (median over runs)\n");
  printTable(trials.flatMap(replicaRows));
  printMemoryTargets(trials);
  if (rates.length === 0) return; // --idle: memory only
  for (const trial of trials) {
    console.log(
      `\n${trial.system}, ${trial.clients} clients: fan-out (CPU in % of one core; the ` +
        "machine has 200; events/s on each lot; x bare: server us/delivery against the bare " +
        "floor's at the same step of this run)\n",
    );
    printTable(fanOutRows(trial.runs, rates, floorOf(trial.clients)?.runs));
  }
  console.log("\nSummary\n");
  const summary = trials.map(summarize);
  printTable(summary.map(({ row }) => row));
  for (const clients of new Set(trials.map((t) => t.clients))) {
    const gavel = summary.find((s) => s.name === "gavel" && s.clients === clients);
    const socketIo = summary.find((s) => s.name === "socketio" && s.clients === clients);
    if (gavel && socketIo) printTargets(gavel, socketIo);
  }
  printSharedLoads(trials);
}

/** Idle memory per connection, median over runs: RSS and heap KiB. */
function idleKiB({ runs }: Trial) {
  const kib = (key: keyof Memory) =>
    median(runs.map((r) => perConnection(r.after, r.before, r.connections, key)));
  return { rss: kib("rss"), heap: kib("heapUsed") };
}

function memoryRow(trial: Trial, floor: Trial | undefined) {
  const { system, clients, runs } = trial;
  const idle = idleKiB(trial);
  const bare = floor && idleKiB(floor);
  const times = (kib: number, base: number | undefined) =>
    base && base > 0 ? `${(kib / base).toFixed(2)}x` : "-";
  return {
    system,
    clients,
    connections: median(runs.map((r) => r.connections)),
    failed: median(runs.map((r) => r.failed)),
    "connect s": (median(runs.map((r) => r.connectMs)) / 1000).toFixed(1),
    "conn/s": Math.round(median(runs.map((r) => r.connections / (r.connectMs / 1000)))),
    "RSS before MiB": median(runs.map((r) => sum(r.before, "rss") / 2 ** 20)),
    "RSS after MiB": median(runs.map((r) => sum(r.after, "rss") / 2 ** 20)),
    "RSS KiB/conn": idle.rss,
    "heap KiB/conn": idle.heap,
    "RSS x bare": times(idle.rss, bare?.rss),
    "heap x bare": times(idle.heap, bare?.heap),
    "idle CPU % servers": Math.round(median(runs.map((r) => r.idleCpu))),
  };
}

/** Idle KiB per connection Gavel aims to stay under, by system (RSS and heap alike). */
const IDLE_KIB_TARGETS: Partial<Record<SystemName, number>> = { gavel: 5, "gavel-sse": 8 };

function printMemoryTargets(trials: Trial[]) {
  const rows = trials.flatMap((trial) => {
    const limit = IDLE_KIB_TARGETS[trial.system];
    if (limit === undefined) return [];
    const { rss, heap } = idleKiB(trial);
    return [
      {
        target: `idle ${trial.system} connection <= ${limit} KiB (RSS and heap)`,
        clients: trial.clients,
        value: `${rss} KiB RSS, ${heap} KiB heap`,
        met: rss <= limit && heap <= limit ? "yes" : "no",
      },
    ];
  });
  if (rows.length === 0) return;
  console.log("\nIdle memory targets\n");
  printTable(rows);
}

function replicaRows({ system, clients, runs }: Trial) {
  const mib = (pick: (r: SystemRun) => number) => median(runs.map(pick)) / 2 ** 20;
  return runs[0]!.before.map((_, i) => {
    const kib = (key: keyof Memory) =>
      median(
        runs.map((r) => perConnection([r.after[i]!], [r.before[i]!], r.openByServer[i]!, key)),
      );
    return {
      system,
      clients,
      server: i + 1,
      connections: median(runs.map((r) => r.openByServer[i]!)),
      "RSS before MiB": mib((r) => r.before[i]!.rss),
      "RSS after MiB": mib((r) => r.after[i]!.rss),
      "heap before MiB": mib((r) => r.before[i]!.heapUsed),
      "heap after MiB": mib((r) => r.after[i]!.heapUsed),
      "RSS KiB/conn": kib("rss"),
      "heap KiB/conn": kib("heapUsed"),
    };
  });
}

type Summary = ReturnType<typeof summarize>;

function printTargets(gavel: Summary, socketIo: Summary) {
  console.log(
    `\nTargets for gavel (WebSocket) against socketio at ${gavel.clients} clients, ` +
      "from the same run\n",
  );
  printTable([
    target("peak deliveries/s >= 1.5x", gavel.peak / socketIo.peak, (r) => r >= 1.5),
    target("p99 at ~50k deliveries/s <= 0.5x", gavel.p99At50k / socketIo.p99At50k, (r) => r <= 0.5),
  ]);
}

/**
 * With several client counts: each system's steps at an offered load (deliveries/s) that
 * more than one count was measured at, side by side. Were the servers' work linear in
 * connections, the rows of one load would cost the same per delivery.
 */
function printSharedLoads(trials: Trial[]) {
  for (const system of new Set(trials.map((t) => t.system))) {
    const mine = trials.filter((t) => t.system === system);
    if (mine.length < 2) continue;
    const rows = mine.flatMap((t) =>
      fanOutRows(t.runs, [...new Set(t.runs.flatMap((r) => r.steps.map((s) => s.rate)))]).map(
        (row) => ({ load: Math.round(row["events/s"] * t.clients), clients: t.clients, ...row }),
      ),
    );
    const counted = (load: number) =>
      new Set(rows.filter((r) => r.load === load).map((r) => r.clients));
    const shared = rows
      .filter((r) => counted(r.load).size > 1)
      .toSorted((a, b) => a.load - b.load || a.clients - b.clients);
    if (shared.length === 0) continue;
    console.log(`\n${system}: the same offered deliveries/s at each client count\n`);
    printTable(
      shared.map((row) => ({
        "offered deliveries/s": row["offered deliveries/s"],
        clients: row.clients,
        "events/s": row["events/s"],
        "delivered/s": row["delivered/s"],
        "p50 ms": row["p50 ms"],
        "p99 ms": row["p99 ms"],
        "max ms": row["max ms"],
        "CPU % servers": row["CPU % servers"],
        "server us/delivery": row["server us/delivery"],
        "server writes/delivery": row["server writes/delivery"],
        "loop p99 ms": row["loop p99 ms"],
        "CPU % clients": row["CPU % clients"],
        saturated: row.saturated,
      })),
    );
  }
}

/** Median over runs of: the plateau, the best unsaturated step, p99 near 50k/s, memory. */
function summarize(trial: Trial) {
  const { system: name, clients, lots, runs } = trial;
  const peak = median(runs.map((r) => Math.max(...r.steps.map((s) => s.delivered))));
  const sustained = median(
    runs.map((r) => Math.max(0, ...r.steps.filter((s) => !s.saturated).map((s) => s.delivered))),
  );
  // The step whose offered load is nearest 50,000 deliveries/s, if within 20% of it.
  const near50k = runs.flatMap((r) => {
    const step = r.steps.toSorted(
      (a, b) => Math.abs(a.offered - 50_000) - Math.abs(b.offered - 50_000),
    )[0];
    return step && Math.abs(step.offered - 50_000) <= 10_000 ? [step.p99] : [];
  });
  const p99At50k = near50k.length ? median(near50k) : Number.NaN;
  // Server CPU per delivery where the servers kept up and bursts were frequent enough to
  // measure (2 events/s and more over all lots).
  const efficient = runs.flatMap((r) =>
    r.steps.filter((s) => !s.saturated && s.rate * lots >= 2).map((s) => s.serverMicrosPerDelivery),
  );
  return {
    name,
    clients,
    peak,
    p99At50k,
    row: {
      system: name,
      clients,
      "peak delivered/s": Math.round(peak),
      "best unsaturated delivered/s": Math.round(sustained),
      "p99 ms at ~50k/s": Number.isNaN(p99At50k) ? "-" : p99At50k.toFixed(1),
      "server us/delivery (unsaturated)": efficient.length ? median(efficient).toFixed(1) : "-",
      "RSS KiB/conn": idleKiB(trial).rss,
    },
  };
}

function target(what: string, ratio: number, met: (ratio: number) => boolean) {
  return {
    target: what,
    value: Number.isFinite(ratio) ? `${ratio.toFixed(2)}x` : "not measured",
    met: Number.isFinite(ratio) ? (met(ratio) ? "yes" : "no") : "-",
  };
}

/** `floor`: the bare system's runs at the same client count, for the x bare column. */
function fanOutRows(runs: SystemRun[], rates: number[], floor?: SystemRun[]) {
  return rates.flatMap((rate) => {
    const steps = runs.flatMap((r) => r.steps.filter((s) => s.rate === rate));
    if (steps.length === 0) return [];
    const m = (pick: (s: StepResult) => number) => median(steps.map(pick));
    const floorSteps = (floor ?? []).flatMap((r) => r.steps.filter((s) => s.rate === rate));
    const floorMicros = floorSteps.length
      ? median(floorSteps.map((s) => s.serverMicrosPerDelivery))
      : Number.NaN;
    return [
      {
        "events/s": rate,
        "offered deliveries/s": Math.round(m((s) => s.offered)),
        "delivered/s": Math.round(m((s) => s.delivered)),
        "p50 ms": m((s) => s.p50).toFixed(1),
        "p99 ms": m((s) => s.p99).toFixed(1),
        "max ms": m((s) => s.max).toFixed(0),
        "lag s": m((s) => s.lag).toFixed(2),
        undelivered: m((s) => s.undelivered),
        closed: m((s) => s.closed),
        "publish errors": steps.reduce((n, s) => n + s.publishErrors, 0),
        "CPU % servers": Math.round(m((s) => s.serverCpu)),
        "server us/delivery": m((s) => s.serverMicrosPerDelivery).toFixed(1),
        "us/delivery x bare":
          floorMicros > 0
            ? `${(m((s) => s.serverMicrosPerDelivery) / floorMicros).toFixed(2)}x`
            : "-",
        "server writes/delivery": m((s) => s.serverWritesPerDelivery).toFixed(2),
        "loop p99 ms": m((s) => s.loopDelayP99).toFixed(0),
        "loop max ms": m((s) => s.loopDelayMax).toFixed(0),
        "CPU % clients": Math.round(m((s) => s.clientCpu)),
        "broker+pub": Math.round(m((s) => s.brokerCpu)),
        "not bench": Math.round(m((s) => s.outsideCpu)),
        saturated: `${steps.filter((s) => s.saturated).length}/${steps.length}`,
        disturbed: steps.filter((s) => s.disturbed).length,
      },
    ];
  });
}

/** The commit measured, and whether the push gateway's code differed from it. */
function codeVersion(): string {
  const git = (...gitArgs: string[]) =>
    execFileSync("git", gitArgs, { cwd: repoRoot, encoding: "utf8" }).trim();
  try {
    const changed = git("status", "--porcelain", "--", "apps/push", "libs");
    return `${git("rev-parse", "--short", "HEAD")}${changed ? " with uncommitted changes in apps/push or libs" : ""}`;
  } catch {
    return "an unknown commit";
  }
}

function sum(memories: Memory[], key: keyof Memory): number {
  return memories.reduce((total, m) => total + m[key], 0);
}
