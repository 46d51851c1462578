/**
 * Memory of the soak's processes over time, and what the soak's tables say of it: before
 * any load, at the end of the warm-up and at each quarter of the run, the peak, and the
 * least-squares slope of the samples after the warm-up. What is read is the log's: RSS
 * from /proc, or the live heap after a forced collection (heapAfterGc).
 */
import { readFileSync } from "node:fs";
import { heapAfterGc, rssBytes } from "@gavel/testing";
import { childrenOf } from "../shared/process-tree.ts";

const MiB = 1024 * 1024;

export interface WatchedProcess {
  name: string;
  pid: number;
  /** A Node service's inspector (started with inspect), for the live-heap log. */
  inspectUrl?: string;
}

/** Reads one process's memory in MiB; throws if it has exited. */
export type MemoryReader = (process: WatchedProcess) => number | Promise<number>;

export const readRss: MemoryReader = ({ pid }) => rssBytes(pid) / MiB;

export const readLiveHeap: MemoryReader = async ({ name, inspectUrl }) => {
  if (!inspectUrl) throw new Error(`${name} has no inspector`);
  return (await heapAfterGc(inspectUrl)).usedBytes / MiB;
};

interface Sample {
  minutes: number;
  /** MiB per process name; a process that has exited is missing. */
  mib: Map<string, number>;
}

export class MemoryLog {
  readonly #watched: WatchedProcess[];
  readonly #read: MemoryReader;
  /** One per sampling interval: bounded by the run's length, not by the traffic. */
  readonly #samples: Sample[] = [];

  constructor(watched: WatchedProcess[], read: MemoryReader) {
    this.#watched = watched;
    this.#read = read;
  }

  /** Reads every process's memory now, `minutes` into the run. */
  async sample(minutes: number): Promise<Map<string, number>> {
    const mib = new Map<string, number>();
    for (const watched of this.#watched) {
      try {
        mib.set(watched.name, await this.#read(watched));
      } catch {
        // Exited: the summary shows the gap rather than a zero.
      }
    }
    this.#samples.push({ minutes, mib });
    return mib;
  }

  /** One row per process, for printTable; MiB rounded to 0.1, the slope to 0.01. */
  summary(warmupMinutes: number, runMinutes: number): Array<Record<string, string | number>> {
    const at = (minutes: number) => nearest(this.#samples, minutes);
    return this.#watched.map(({ name }) => {
      const value = (sample: Sample | undefined) => sample?.mib.get(name);
      const warm = value(at(warmupMinutes));
      const end = value(this.#samples.at(-1));
      const after = this.#samples
        .filter((s) => s.minutes >= warmupMinutes - 1e-6 && s.mib.has(name))
        .map((s) => [s.minutes, s.mib.get(name)!] as const);
      const all = this.#samples.flatMap((s) => (s.mib.has(name) ? [s.mib.get(name)!] : []));
      return {
        process: name,
        "idle MiB": mib(value(this.#samples[0])),
        "warm-up MiB": mib(warm),
        "25%": mib(value(at(runMinutes * 0.25))),
        "50%": mib(value(at(runMinutes * 0.5))),
        "75%": mib(value(at(runMinutes * 0.75))),
        "end MiB": mib(end),
        "max MiB": mib(all.length ? Math.max(...all) : undefined),
        "growth MiB": warm === undefined || end === undefined ? "-" : mib(end - warm),
        "slope MiB/min": slope(after),
      };
    });
  }
}

/** The sample taken closest to `minutes` into the run. */
function nearest(samples: Sample[], minutes: number): Sample | undefined {
  let best: Sample | undefined;
  for (const s of samples)
    if (!best || Math.abs(s.minutes - minutes) < Math.abs(best.minutes - minutes)) best = s;
  return best;
}

/** Least-squares MiB per minute; "-" with fewer than three points, too few to mean much. */
export function slope(points: ReadonlyArray<readonly [number, number]>): number | string {
  if (points.length < 3) return "-";
  const meanX = points.reduce((n, [x]) => n + x, 0) / points.length;
  const meanY = points.reduce((n, [, y]) => n + y, 0) / points.length;
  let num = 0;
  let den = 0;
  for (const [x, y] of points) {
    num += (x - meanX) * (y - meanY);
    den += (x - meanX) ** 2;
  }
  return den === 0 ? "-" : Math.round((num / den) * 100) / 100;
}

const mib = (value: number | undefined): number | string =>
  value === undefined ? "-" : Math.round(value * 10) / 10;

/**
 * Pids of this process's children running `command` (their /proc comm), e.g. the
 * nats-server @gavel/testing started, whose handle does not name its pid.
 */
export function childPidsRunning(command: string): number[] {
  return childrenOf(process.pid).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/comm`, "utf8").trim() === command;
    } catch {
      return false; // gone meanwhile
    }
  });
}
