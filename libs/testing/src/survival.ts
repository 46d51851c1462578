import { readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import type { ServiceProcess } from "./service-process.ts";

const MiB = 1024 * 1024;

/** The process's resident set size in bytes, read from /proc (Linux). */
export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  if (!kb) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(kb[1]) * 1024;
}

/**
 * fast-check settings for the hostile-input properties: a fixed seed by default, so a
 * run is reproducible and CI sees the same cases every time; GAVEL_FC_SEED explores
 * others. fast-check prints the seed and the shrunk counterexample when a property fails.
 */
export function hostileRuns(numRuns: number): { numRuns: number; seed: number } {
  return { numRuns, seed: Number(process.env.GAVEL_FC_SEED ?? 20261126) };
}

export interface SurvivalOptions {
  /**
   * How far above the baseline RSS may stay. Generous on purpose: V8 (and Go's heap)
   * keep pages they grew into for a while after a burst of multi-megabyte bodies, and
   * the kernel counts them until they are returned, so a tight bound would flake on
   * allocator behaviour rather than catch a leak. A leak of what the property sent
   * (hundreds of MiB over a run) still fails it.
   */
  toleranceMiB?: number;
  /** How long RSS has to come back under the bound (polled). */
  settleMs?: number;
}

export interface Survival {
  baselineMiB: number;
  afterMiB: number;
  deltaMiB: number;
}

/**
 * What every hostile property ends with: the process is still running, the next honest
 * request is served correctly, and its memory comes back within a tolerance of the
 * baseline taken before the property ran.
 */
export async function expectSurvived(
  service: ServiceProcess,
  baselineBytes: number,
  honest: () => Promise<void>,
  options: SurvivalOptions = {},
): Promise<Survival> {
  const { toleranceMiB = 96, settleMs = 15_000 } = options;
  if (await hasExited(service))
    throw new Error(`${service.app} exited during the property (pid ${service.pid})`);
  await honest();
  const bound = baselineBytes + toleranceMiB * MiB;
  const deadline = Date.now() + settleMs;
  let rss = rssBytes(service.pid);
  while (rss > bound && Date.now() < deadline) {
    await sleep(250);
    rss = rssBytes(service.pid);
  }
  const survival = {
    baselineMiB: round(baselineBytes / MiB),
    afterMiB: round(rss / MiB),
    deltaMiB: round((rss - baselineBytes) / MiB),
  };
  if (rss > bound)
    throw new Error(
      `${service.app} RSS stayed at ${survival.afterMiB} MiB, baseline ${survival.baselineMiB} MiB (+${toleranceMiB} MiB allowed)`,
    );
  return survival;
}

/** True when the process's exit has already been seen (checked after pending I/O callbacks). */
async function hasExited(service: ServiceProcess): Promise<boolean> {
  return Promise.race([
    service.exited.then(() => true),
    new Promise<boolean>((resolve) => setImmediate(() => resolve(false))),
  ]);
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
