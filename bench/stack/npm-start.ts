/**
 * `npm start` run the way a person runs it: `npm start` in the repository, ready when it
 * prints its banner, stopped with Ctrl-C (SIGINT to its process group, as a terminal
 * sends it), and gone only when every process it started has exited and its pid files
 * are forgotten.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { setTimeout as sleep } from "node:timers/promises";
import { treePids } from "../shared/process-tree.ts";
import { isRunning } from "./process-memory.ts";

/** What the launcher prints once everything is up (scripts/dev/start.ts). */
const BANNER = "Gavel is running";

export interface RunningStack {
  /** npm's pid: the root of the process tree. */
  pid: number;
  /** From `npm start` to its banner. */
  readyMs: number;
  /** Ctrl-C, then waits until nothing it started runs; throws if anything is left. */
  stop(): Promise<void>;
}

export async function npmStart(root: string, args: string[]): Promise<RunningStack> {
  const started = performance.now();
  const npm = spawn("npm", ["start", "--", ...args], {
    cwd: root,
    // Not the settings of the `npm run` that runs this bench (its workspace, say).
    env: Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k))),
    // Its own process group, as a terminal gives it, so Ctrl-C can be sent to it all.
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const tail: string[] = [];
  const keep = (line: string) => tail.push(line) > 20 && tail.shift();
  createInterface({ input: npm.stderr! }).on("line", keep);
  const ready = new Promise<void>((resolve, reject) => {
    createInterface({ input: npm.stdout! }).on("line", (line) => {
      keep(line);
      if (line.includes(BANNER)) resolve();
    });
    npm.once("exit", (code) =>
      reject(new Error(`npm start exited with ${code} before it was ready:\n${tail.join("\n")}`)),
    );
  });
  await ready;
  const readyMs = performance.now() - started;
  return { pid: npm.pid!, readyMs, stop: () => ctrlC(npm, root) };
}

async function ctrlC(npm: ChildProcess, root: string): Promise<void> {
  const pids = treePids(npm.pid!);
  process.kill(-npm.pid!, "SIGINT");
  for (const deadline = Date.now() + 60_000; Date.now() < deadline; await sleep(100))
    if (!pids.some(isRunning)) break;
  const left = pids.filter(isRunning);
  if (left.length) throw new Error(`npm start left processes running: ${left.join(", ")}`);
  const records = readdirSync(join(root, ".gavel", "pids"));
  if (records.length) throw new Error(`npm start left pid files: ${records.join(", ")}`);
}
