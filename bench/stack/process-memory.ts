/**
 * What a process tree holds, from Linux's /proc: each process's resident set (RSS, every
 * page it maps, shared or not) and its proportional share (PSS, each shared page split
 * among the processes that map it). Summed over a tree, RSS counts the pages they share
 * (the node binary, ~45 MiB in each Node process) once per process; PSS counts them once.
 */
import { readFileSync } from "node:fs";
import { treePids } from "../shared/process-tree.ts";

export interface ProcessMemory {
  pid: number;
  /** What it is: "identity", "nats-server", "launcher"... */
  name: string;
  rssMiB: number;
  pssMiB: number;
}

/** `root` and every process under it, parents first; one that exits meanwhile is left out. */
export function processTree(root: number): ProcessMemory[] {
  return treePids(root).flatMap((pid) => memoryOf(pid) ?? []);
}

/** Whether `pid` still runs (a zombie, exited but not yet reaped, does not). */
export function isRunning(pid: number): boolean {
  const stat = read(`/proc/${pid}/stat`);
  return stat !== undefined && stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
}

/** How the table names a process, from its command line (its arguments). */
export function nameOf(argv: string[]): string {
  const [program = "", ...args] = argv;
  const command = argv.join(" ");
  const app = /apps\/([\w-]+)\/(src\/main\.ts|dist\/main\.js)$/.exec(args.at(-1) ?? "")?.[1];
  if (app) return app;
  if (program.endsWith("/settlement")) return "settlement (Go)";
  if (program.endsWith("/nats-server")) return "nats-server";
  if (program.endsWith("/jaeger")) return "jaeger";
  if (command.includes("scripts/dev/start.ts"))
    return program === "sh" || program.endsWith("/sh") ? "sh (npm's shell)" : "launcher";
  if (program === "npm" || command.startsWith("npm ")) return "npm (the client)";
  return command.slice(0, 40);
}

function memoryOf(pid: number): ProcessMemory | undefined {
  const status = read(`/proc/${pid}/status`);
  const rollup = read(`/proc/${pid}/smaps_rollup`);
  const argv = read(`/proc/${pid}/cmdline`)?.split("\0").filter(Boolean);
  if (!status || !rollup || !argv?.length) return undefined;
  return {
    pid,
    name: nameOf(argv),
    rssMiB: kib(status, "VmRSS") / 1024,
    pssMiB: kib(rollup, "Pss") / 1024,
  };
}

function kib(text: string, field: string): number {
  return Number(new RegExp(`^${field}:\\s+(\\d+) kB$`, "m").exec(text)?.[1] ?? 0);
}

function read(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}
