/**
 * The tracing bench's tables: each stack's medians over its runs, then tracing on against
 * off, as the change of the medians and the median change of each pair of runs (run i of
 * "on" ran right before or after run i of "off", so their ratio sees the least drift).
 */
import { median, percentile, printTable } from "@gavel/load";

export interface RunResult {
  /** Bids answered: accepted, refused or failed. */
  requests: number;
  accepted: number;
  refused: number;
  failed: number;
  latenciesMs: number[];
  /** CPU seconds of each process of the stack during the run, by app. */
  cpuSeconds: Record<string, number>;
  spansExported: number;
  /** How long the stack kept working after the run. */
  settleSeconds: number;
  /** CPU the rest of the shared machine used during the run, in % of one core. */
  othersCpuPercent: number;
}

export interface RunSettings {
  /** What was measured, e.g. "Bids through the REST edge (...)". */
  description: string;
  /** What "off" and "on" mean. */
  off: string;
  on: string;
  seconds: number;
  workers: number;
  lots: number;
  runs: number;
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

/** What each run is judged by; the overhead table compares these, in this order. */
function measuresOf(apps: string[], seconds: number): Record<string, (r: RunResult) => number> {
  const perBid = (r: RunResult, cpu: number) => (cpu * 1000) / r.requests;
  return {
    "answered bids/s": (r) => r.requests / seconds,
    "p50 ms": (r) => percentile(r.latenciesMs, 50),
    "p99 ms": (r) => percentile(r.latenciesMs, 99),
    "CPU ms/bid": (r) => perBid(r, sum(Object.values(r.cpuSeconds))),
    ...Object.fromEntries(
      apps.map((app) => [`${app} CPU ms/bid`, (r: RunResult) => perBid(r, r.cpuSeconds[app]!)]),
    ),
  };
}

/** One line per run, for the progress on stderr. */
export function runLine(label: string, r: RunResult): string {
  const cpu = (sum(Object.values(r.cpuSeconds)) * 1000) / r.requests;
  return (
    `${label}: ${r.requests} bids answered, ${r.accepted} accepted, ${r.refused} refused, ` +
    `${r.failed} failed, ${cpu.toFixed(2)} CPU ms/bid, ${r.spansExported} spans exported, ` +
    `idle ${r.settleSeconds.toFixed(1)} s after; others used ${r.othersCpuPercent.toFixed(0)}% of a core`
  );
}

export function report(settings: RunSettings, off: RunResult[], on: RunResult[]): void {
  const apps = Object.keys(off[0]!.cpuSeconds);
  const measures = measuresOf(apps, settings.seconds);
  const of = (runs: RunResult[], measure: string) => median(runs.map(measures[measure]!));
  const row = (tracing: string, runs: RunResult[]) => ({
    tracing,
    "answered bids/s": of(runs, "answered bids/s"),
    "accepted bids/s": median(runs.map((r) => r.accepted / settings.seconds)),
    "p50 ms": of(runs, "p50 ms"),
    "p99 ms": of(runs, "p99 ms"),
    failed: sum(runs.map((r) => r.failed)),
    "CPU ms/bid": of(runs, "CPU ms/bid"),
    ...Object.fromEntries(apps.map((app) => [app, of(runs, `${app} CPU ms/bid`)])),
    // Only the "on" stack exports spans; the sink counts what arrived during its runs.
    "spans/bid": tracing === "on" ? median(runs.map((r) => r.spansExported / r.requests)) : "-",
    "others' CPU %": median(runs.map((r) => r.othersCpuPercent)),
  });
  console.log(
    `\n${settings.description}, tracing off (${settings.off}) vs on (${settings.on}; ` +
      `OTLP/HTTP protobuf), ${settings.seconds} s per run, ${settings.workers} workers over ` +
      `${settings.lots} lots, median of ${settings.runs} runs each, in pairs; ` +
      `CPU ms/bid of all processes, then of each (${apps.join(", ")}); others' CPU: what ` +
      `the rest of the machine used meanwhile, in % of one core\n`,
  );
  printTable([row("off", off), row("on", on)]);

  const percent = (from: number, to: number) => ((to - from) / from) * 100;
  const overhead = Object.entries(measures).map(([measure, value]) => ({
    measure,
    "change of the medians": percent(median(off.map(value)), median(on.map(value))),
    "median change per pair": median(off.map((r, i) => percent(value(r), value(on[i]!)))),
  }));
  console.log("\nTracing on against off, in % (+ is more):\n");
  printTable(overhead);
  const change = (measure: string) =>
    overhead.find((o) => o.measure === measure)!["change of the medians"];
  const [throughput, p99] = [change("answered bids/s"), change("p99 ms")];
  const signed = (n: number) => `${n > 0 ? "+" : ""}${n.toFixed(1)}%`;
  const verdict = (cost: number) => (cost < 10 ? "met" : "NOT met");
  console.log(
    `\nTarget, under 10% from the medians: throughput ${signed(throughput)} ` +
      `(${verdict(-throughput)}), p99 ${signed(p99)} (${verdict(p99)})`,
  );
}
