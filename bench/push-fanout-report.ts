/**
 * The push fan-out bench's tables (see push-fanout.bench.ts): idle memory per connection,
 * each system's steps, and a summary with Gavel's targets against Socket.IO.
 */
import { execFileSync } from "node:child_process";
import { repoRoot } from "@gavel/testing";
import type { Memory } from "./node-inspector.ts";
import type { StepResult } from "./push-fanout-step.ts";
import type { SystemName } from "./push-systems.ts";
import { median, printTable } from "@gavel/loadgen";

/** One system's measurements in one run. */
export interface SystemRun {
  connections: number;
  failed: number;
  before: Memory[];
  after: Memory[];
  steps: Array<StepResult & { disturbed: boolean }>;
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

/** Prints the memory table, a fan-out table per system, the summary and the targets. */
export function printReport(results: Map<SystemName, SystemRun[]>, rates: number[], title: string) {
  console.log(`\n${title}; Gavel at ${codeVersion()}`);
  console.log("\nIdle memory per connection (both servers, after full GCs)\n");
  const systems = [...results.keys()];
  printTable(
    systems.map((name) => {
      const runs = results.get(name)!;
      return {
        system: name,
        connections: median(runs.map((r) => r.connections)),
        "RSS before MiB": median(runs.map((r) => sum(r.before, "rss") / 2 ** 20)),
        "RSS after MiB": median(runs.map((r) => sum(r.after, "rss") / 2 ** 20)),
        "RSS KiB/conn": median(
          runs.map((r) => perConnection(r.after, r.before, r.connections, "rss")),
        ),
        "heap KiB/conn": median(
          runs.map((r) => perConnection(r.after, r.before, r.connections, "heapUsed")),
        ),
      };
    }),
  );
  for (const name of systems) {
    console.log(`\n${name}: fan-out (CPU in % of one core; the machine has 200)\n`);
    printTable(fanOutRows(results.get(name)!, rates));
  }
  console.log("\nSummary\n");
  const summary = systems.map((name) => summarize(name, results.get(name)!));
  printTable(summary.map(({ row }) => row));
  const gavel = summary.find((s) => s.name === "gavel");
  const socketIo = summary.find((s) => s.name === "socketio");
  if (gavel && socketIo) {
    console.log("\nTargets for gavel (WebSocket) against socketio, from the same run\n");
    printTable([
      target("peak deliveries/s >= 1.5x", gavel.peak / socketIo.peak, (r) => r >= 1.5),
      target(
        "p99 at ~50k deliveries/s <= 0.5x",
        gavel.p99At50k / socketIo.p99At50k,
        (r) => r <= 0.5,
      ),
      {
        target: "idle RSS per connection <= 8 KiB",
        value: `${gavel.rssPerConnection} KiB`,
        met: gavel.rssPerConnection <= 8 ? "yes" : "no",
      },
    ]);
  }
}

/** Median over runs of: the plateau, the best unsaturated step, p99 near 50k/s, memory. */
function summarize(name: SystemName, runs: SystemRun[]) {
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
  const rssPerConnection = median(
    runs.map((r) => perConnection(r.after, r.before, r.connections, "rss")),
  );
  // Server CPU per delivery where the servers kept up and bursts were frequent enough to
  // measure (2 events/s and more).
  const efficient = runs.flatMap((r) =>
    r.steps.filter((s) => !s.saturated && s.rate >= 2).map((s) => s.serverMicrosPerDelivery),
  );
  return {
    name,
    peak,
    p99At50k,
    rssPerConnection,
    row: {
      system: name,
      "peak delivered/s": Math.round(peak),
      "best unsaturated delivered/s": Math.round(sustained),
      "p99 ms at ~50k/s": Number.isNaN(p99At50k) ? "-" : p99At50k.toFixed(1),
      "server us/delivery (unsaturated)": efficient.length ? median(efficient).toFixed(1) : "-",
      "RSS KiB/conn": rssPerConnection,
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

function fanOutRows(runs: SystemRun[], rates: number[]) {
  return rates.flatMap((rate) => {
    const steps = runs.flatMap((r) => r.steps.filter((s) => s.rate === rate));
    if (steps.length === 0) return [];
    const m = (pick: (s: StepResult) => number) => median(steps.map(pick));
    return [
      {
        "events/s": rate,
        "offered deliveries/s": Math.round(m((s) => s.offered)),
        "delivered/s": Math.round(m((s) => s.delivered)),
        "p50 ms": m((s) => s.p50).toFixed(1),
        "p99 ms": m((s) => s.p99).toFixed(1),
        "lag s": m((s) => s.lag).toFixed(2),
        undelivered: m((s) => s.undelivered),
        closed: m((s) => s.closed),
        "publish errors": steps.reduce((n, s) => n + s.publishErrors, 0),
        "CPU % servers": Math.round(m((s) => s.serverCpu)),
        "server us/delivery": m((s) => s.serverMicrosPerDelivery).toFixed(1),
        "server writes/delivery": m((s) => s.serverWritesPerDelivery).toFixed(2),
        clients: Math.round(m((s) => s.clientCpu)),
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
