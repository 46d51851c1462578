/**
 * Counters from /proc (Linux), to show where a benchmark's cores went: a process's CPU
 * seconds and system calls, and the whole machine's busy share.
 */
import { readdirSync, readFileSync } from "node:fs";

/** Clock ticks per second of /proc's counters (USER_HZ, 100 on Linux). */
const TICKS = 100;

/** CPU seconds the process has used, in its own code and in the kernel; 0 once it is gone. */
export function processCpuSeconds(pid: number): { user: number; kernel: number } {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name, which is in parentheses and may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { user: Number(fields[11]) / TICKS, kernel: Number(fields[12]) / TICKS };
  } catch {
    return { user: 0, kernel: 0 };
  }
}

/**
 * Read and write system calls the process has made (read, write, writev, ...), from
 * /proc/<pid>/io; 0 once it is gone.
 */
export function processSystemCalls(pid: number): { reads: number; writes: number } {
  try {
    const io = readFileSync(`/proc/${pid}/io`, "utf8");
    const value = (name: string) => Number(new RegExp(`^${name}: (\\d+)`, "m").exec(io)?.[1] ?? 0);
    return { reads: value("syscr"), writes: value("syscw") };
  } catch {
    return { reads: 0, writes: 0 };
  }
}

/** The machine's busy and total CPU seconds (all cores) since boot. */
export function machineCpuSeconds(): { busy: number; total: number } {
  const line = readFileSync("/proc/stat", "utf8").split("\n")[0]!;
  // user nice system idle iowait irq softirq steal (guest time is already in user).
  const ticks = line.split(/\s+/).slice(1, 9).map(Number);
  const total = ticks.reduce((a, b) => a + b, 0);
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
  return { busy: (total - idle) / TICKS, total: total / TICKS };
}

/** The processes whose parent is `pid` (Linux), e.g. everything a bench started itself. */
export function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === pid) children.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return children;
}

/** CPU seconds the processes have used together, in their own code and in the kernel. */
export function totalCpuSeconds(pids: number[]): number {
  return pids.map(processCpuSeconds).reduce((sum, t) => sum + t.user + t.kernel, 0);
}

/**
 * CPU seconds each named group of processes has used so far; NaN for an empty group (a
 * process the bench cannot see, such as nats-server in a container).
 */
export function cpuSecondsByGroup<K extends string>(
  groups: Record<K, number[]>,
): Record<K, number> {
  const entries = Object.entries<number[]>(groups).map(([name, pids]) => [
    name,
    pids.length > 0 ? totalCpuSeconds(pids) : Number.NaN,
  ]);
  return Object.fromEntries(entries) as Record<K, number>;
}

/**
 * CPU per request of each group between two cpuSecondsByGroup readings, in `unit` per
 * second of CPU (1e3: milliseconds, 1e6: microseconds).
 */
export function cpuPerRequest<K extends string>(
  before: Record<K, number>,
  after: Record<K, number>,
  requests: number,
  unit: number,
): Record<K, number> {
  const entries = (Object.keys(before) as K[]).map((name) => [
    name,
    ((after[name] - before[name]) * unit) / requests,
  ]);
  return Object.fromEntries(entries) as Record<K, number>;
}

/** The child of this process running `command` (its name in /proc), if there is one. */
export function childNamed(command: string): number | undefined {
  return childrenOf(process.pid).find((pid) => {
    try {
      return readFileSync(`/proc/${pid}/comm`, "utf8").trim() === command;
    } catch {
      return false; // gone meanwhile
    }
  });
}

/** CPU the processes used over `ms`, in % of one core. */
export async function cpuPercent(pids: number[], ms: number): Promise<number> {
  const before = totalCpuSeconds(pids);
  await new Promise((r) => setTimeout(r, ms));
  return ((totalCpuSeconds(pids) - before) / (ms / 1000)) * 100;
}

/**
 * CPU seconds the machine has spent, since boot, outside this process and its children:
 * what the rest of a shared machine did to a benchmark, between two readings taken while
 * the same children run.
 */
export function outsideCpuSeconds(): number {
  return machineCpuSeconds().busy - totalCpuSeconds([process.pid, ...childrenOf(process.pid)]);
}

/** CPU that the rest of the machine (outsideCpuSeconds) used over `ms`, in % of one core. */
export async function outsideCpuPercent(ms: number): Promise<number> {
  const before = outsideCpuSeconds();
  await new Promise((r) => setTimeout(r, ms));
  return Math.max(0, ((outsideCpuSeconds() - before) / (ms / 1000)) * 100);
}
