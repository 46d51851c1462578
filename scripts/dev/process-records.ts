import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { identityOf, readIfPresent } from "./linux-processes.ts";

/**
 * Pid files for what `npm start` runs. Each process it starts has a session of its own
 * (Ctrl-C reaches the launcher alone, which stops them in order), so a launcher killed
 * outright (SIGKILL, a lost terminal) leaves them all running, holding their ports. Each
 * is recorded in <state dir>/pids/<name>.json as it starts and forgotten once stopped; the
 * next start stops what is still recorded and running.
 */
interface ProcessRecord {
  name: string;
  pid: number;
  /** identityOf(pid) when recorded: a later process given the same pid is not this one. */
  identity: string;
  /** Servers the others use (NATS, Jaeger): stopped after them. */
  last: boolean;
  launcher: { pid: number; identity: string | undefined };
}

const dirOf = (stateDir: string) => join(stateDir, "pids");

/** Records a process this launcher started; nothing where /proc cannot say who it is. */
export function recordProcess(stateDir: string, name: string, pid: number, last = false): void {
  const identity = identityOf(pid);
  if (!identity) return;
  const launcher = { pid: process.pid, identity: identityOf(process.pid) };
  const record: ProcessRecord = { name, pid, identity, last, launcher };
  mkdirSync(dirOf(stateDir), { recursive: true });
  writeFileSync(join(dirOf(stateDir), `${name}.json`), `${JSON.stringify(record)}\n`);
}

/** Forgets a process once it has stopped. */
export function forgetProcess(stateDir: string, name: string): void {
  rmSync(join(dirOf(stateDir), `${name}.json`), { force: true });
}

/** Another launcher is running on this state dir: its processes are not leftovers. */
export class AlreadyRunning extends Error {}

/**
 * Stops every recorded process that still runs, the servers last (SIGTERM, SIGKILL after
 * `graceMs`), and forgets them all; answers what it stopped, e.g. ["nats-server (pid
 * 5007)"]. Throws AlreadyRunning, stopping nothing, while their launcher still runs.
 */
export async function stopLeftovers(stateDir: string, graceMs = 10_000): Promise<string[]> {
  const records = readRecords(stateDir);
  const launcher = records.find(
    (r) => r.launcher.pid !== process.pid && isRunning(r.launcher.pid, r.launcher.identity),
  )?.launcher;
  if (launcher)
    throw new AlreadyRunning(
      `already running in this checkout (pid ${launcher.pid}): stop it first (Ctrl-C in its terminal, or kill ${launcher.pid})`,
    );
  const running = records.filter((r) => isRunning(r.pid, r.identity));
  for (const wave of [running.filter((r) => !r.last), running.filter((r) => r.last)])
    await Promise.all(wave.map((r) => stop(r, graceMs)));
  for (const r of records) forgetProcess(stateDir, r.name);
  return running.map((r) => `${r.name} (pid ${r.pid})`);
}

function readRecords(stateDir: string): ProcessRecord[] {
  let files: string[];
  try {
    files = readdirSync(dirOf(stateDir)).filter((f) => f.endsWith(".json"));
  } catch {
    return [];
  }
  return files.flatMap((file) => {
    try {
      return [JSON.parse(readIfPresent(join(dirOf(stateDir), file)) ?? "") as ProcessRecord];
    } catch {
      return []; // half-written when its launcher died: nothing to go on
    }
  });
}

const isRunning = (pid: number, identity: string | undefined) =>
  identity !== undefined && identityOf(pid) === identity;

async function stop(record: ProcessRecord, graceMs: number): Promise<void> {
  for (const [signal, waitMs] of [
    ["SIGTERM", graceMs],
    ["SIGKILL", 5_000],
  ] as const) {
    try {
      process.kill(record.pid, signal);
    } catch {
      return; // already gone
    }
    for (const deadline = Date.now() + waitMs; Date.now() < deadline; await sleep(50))
      if (!isRunning(record.pid, record.identity)) return;
  }
  throw new Error(`${record.name} (pid ${record.pid}) an earlier npm start left did not stop`);
}
