import { readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { heapAfterGc } from "./heap.ts";
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

/**
 * A service's memory before a property: its RSS and, for a process started with
 * `inspect: true`, its live JavaScript heap after a full collection.
 */
export interface MemoryBaseline {
  rssBytes: number;
  heapBytes?: number;
}

export async function memoryBaseline(service: ServiceProcess): Promise<MemoryBaseline> {
  const heap = service.inspectUrl ? await heapAfterGc(service.inspectUrl) : undefined;
  return { rssBytes: rssBytes(service.pid), heapBytes: heap?.usedBytes };
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
  /**
   * How far above the baseline the live heap after a full collection may be, when the
   * process is inspectable: the tight check. What the property sent is garbage once it
   * is answered; what stays reachable is a leak, or a bounded cache filling up.
   */
  heapToleranceMiB?: number;
  /** How long memory has to come back under the bounds (polled). */
  settleMs?: number;
}

export interface Survival {
  baselineMiB: number;
  afterMiB: number;
  deltaMiB: number;
  /** The live heap after a full collection, before and after (inspectable processes). */
  heapBaselineMiB?: number;
  heapAfterMiB?: number;
}

/**
 * What every hostile property ends with: the process is still running, the next honest
 * request is served correctly, and its memory comes back near the baseline taken before
 * the property ran: its live heap within a few MiB (when inspectable), its RSS within a
 * generous tolerance.
 */
export async function expectSurvived(
  service: ServiceProcess,
  baseline: MemoryBaseline,
  honest: () => Promise<void>,
  options: SurvivalOptions = {},
): Promise<Survival> {
  const { toleranceMiB = 96, heapToleranceMiB = 8, settleMs = 15_000 } = options;
  if (await hasExited(service))
    throw new Error(`${service.app} exited during the property (pid ${service.pid})`);
  await honest();
  const deadline = Date.now() + settleMs;
  const rssBound = baseline.rssBytes + toleranceMiB * MiB;
  let rss = rssBytes(service.pid);
  while (rss > rssBound && Date.now() < deadline) {
    await sleep(250);
    rss = rssBytes(service.pid);
  }
  const survival: Survival = {
    baselineMiB: round(baseline.rssBytes / MiB),
    afterMiB: round(rss / MiB),
    deltaMiB: round((rss - baseline.rssBytes) / MiB),
  };
  if (rss > rssBound)
    throw new Error(
      `${service.app} RSS stayed at ${survival.afterMiB} MiB, baseline ${survival.baselineMiB} MiB (+${toleranceMiB} MiB allowed)`,
    );
  if (service.inspectUrl && baseline.heapBytes !== undefined) {
    const heapBound = baseline.heapBytes + heapToleranceMiB * MiB;
    let heap = (await heapAfterGc(service.inspectUrl)).usedBytes;
    while (heap > heapBound && Date.now() < deadline) {
      await sleep(500); // closing sockets and timers may still hold what a request used
      heap = (await heapAfterGc(service.inspectUrl)).usedBytes;
    }
    survival.heapBaselineMiB = round(baseline.heapBytes / MiB);
    survival.heapAfterMiB = round(heap / MiB);
    if (heap > heapBound)
      throw new Error(
        `${service.app} live heap after GC stayed at ${survival.heapAfterMiB} MiB, baseline ${survival.heapBaselineMiB} MiB (+${heapToleranceMiB} MiB allowed)`,
      );
  }
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
