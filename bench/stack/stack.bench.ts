/**
 * `npm start`'s footprint: time to ready, cold and warm, and each process's settled RSS and
 * PSS, medians of the runs: docs/benchmarks.md#local-stack-memory-and-start-time
 *
 *   npm run bench:stack -- [--runs 3] [--settle 30] [-- <npm start's flags, e.g. --no-load>]
 *   # it runs npm start on its default ports: stop any other npm start first
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { parseCommandLine } from "@gavel/config/command-line";
import { median, printTable } from "@gavel/load";
import { repoRoot } from "@gavel/testing";
import { go, linuxProc, natsServer, requirePrerequisites } from "../shared/prerequisites.ts";
import { npmStart } from "./npm-start.ts";
import { processTree, type ProcessMemory } from "./process-memory.ts";

const {
  values: options,
  positionals: startFlags,
  fail,
} = parseCommandLine("npm run bench:stack --", {
  options: {
    runs: { type: "string", default: "3" },
    settle: { type: "string", default: "30" },
  },
  allowPositionals: true,
});
const RUNS = Number(options.runs);
const SETTLE_SECONDS = Number(options.settle);
if (!(RUNS >= 1 && SETTLE_SECONDS >= 0))
  fail("--runs must be 1 or more, and --settle a number of seconds");
/** Not started by the stack: the npm client that runs the script, and its shell. */
const CLIENT = new Set(["npm (the client)", "sh (npm's shell)"]);
const say = (line: string) => process.stderr.write(`${line}\n`);

requirePrerequisites("bench:stack", [linuxProc, go, natsServer(true)]);
say(
  `${["npm start", ...startFlags].join(" ")}: ${RUNS} runs, each cold then warm, ${SETTLE_SECONDS} s to settle each`,
);
type Start = "cold" | "warm";
const STARTS: Start[] = ["cold", "warm"];
const ready: Record<Start, number[]> = { cold: [], warm: [] };
const samples: Record<Start, ProcessMemory[][]> = { cold: [], warm: [] };
for (let run = 1; run <= RUNS; run++) {
  for (const start of STARTS) {
    if (start === "cold")
      rmSync(join(repoRoot, ".gavel", "compile-cache"), { recursive: true, force: true });
    const stack = await npmStart(repoRoot, startFlags);
    ready[start].push(stack.readyMs);
    // Settled, and every process past its start: one stopped while it starts (the load
    // generator signing in) exits without writing its part of the compile cache.
    await sleep(SETTLE_SECONDS * 1000);
    samples[start].push(processTree(stack.pid));
    await stack.stop();
  }
  say(
    `run ${run}/${RUNS}: ready cold ${seconds(ready.cold.at(-1)!)} s, warm ${seconds(ready.warm.at(-1)!)} s`,
  );
}

say(`\nidle after ${SETTLE_SECONDS} s; medians of ${RUNS} runs`);
printTable(memoryRows());
say("\nnpm start until its banner");
printTable(
  STARTS.map((start) => ({
    start,
    "ready s (median)": seconds(median(ready[start])),
    runs: ready[start].map(seconds).join(", "),
  })),
);

/** One row per process (medians over the runs), then the stack's total and npm's. */
function memoryRows(): Array<Record<string, string | number>> {
  const names = [...new Set(samples.warm.flatMap((r) => r.map((p) => p.name)))];
  const sum = (keep: (name: string) => boolean, start: Start, key: "rssMiB" | "pssMiB") =>
    mib(
      median(
        samples[start].map((r) => r.filter((p) => keep(p.name)).reduce((n, p) => n + p[key], 0)),
      ),
    );
  const row = (process: string, keep: (name: string) => boolean) => ({
    process,
    "RSS MiB warm": sum(keep, "warm", "rssMiB"),
    "PSS MiB warm": sum(keep, "warm", "pssMiB"),
    "RSS MiB cold": sum(keep, "cold", "rssMiB"),
    "PSS MiB cold": sum(keep, "cold", "pssMiB"),
  });
  return [
    ...names.map((name) => row(name, (n) => n === name)),
    row("total: the launcher and all it starts", (name) => !CLIENT.has(name)),
    row("total with npm and its shell", () => true),
  ];
}

function mib(value: number): number {
  return Math.round(value * 10) / 10;
}

function seconds(ms: number): number {
  return Math.round(ms / 100) / 10;
}
