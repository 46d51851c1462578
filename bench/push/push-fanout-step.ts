/**
 * One rate step of the push fan-out bench: publish at a steady rate on every lot (the
 * lots in turn, evenly spaced), measure a window after a warm-up, then wait for the
 * stragglers.
 */
import {
  childrenOf,
  machineCpuSeconds,
  processCpuSeconds,
  processSystemCalls,
} from "../shared/cpu-time.ts";
import type { InspectorSession } from "../shared/node-inspector.ts";
import type { LoadFleet } from "./push-load-fleet.ts";
import type { RunningSystem } from "./push-systems.ts";
import { percentile } from "@gavel/load";

export interface StepOptions {
  warmupMs: number;
  windowMs: number;
  /** How long to wait after publishing stops for every delivery to arrive. */
  drainMs: number;
  /**
   * A step saturates when p99 passes this, or when an event published this long before
   * the window's end had still not reached every client (see StepResult.lag).
   */
  maxLagMs: number;
}

export interface StepResult {
  /** Events per second on each lot. */
  rate: number;
  /** Deliveries per second the publisher asks for: events/s per lot x clients. */
  offered: number;
  /** Deliveries per second the clients received during the window. */
  delivered: number;
  /** Publish to receive, in ms, over the window's sampled deliveries. */
  p50: number;
  p99: number;
  max: number;
  /** The servers' event-loop delay over the window, in ms: the worst server's p99, max. */
  loopDelayP99: number;
  loopDelayMax: number;
  /**
   * At the window's end, how long ago the oldest event that had not yet reached every
   * client was published, in seconds (0 when all had).
   */
  lag: number;
  /** Deliveries that never arrived, even after the drain time. */
  undelivered: number;
  /** Clients the servers dropped during the step. */
  closed: number;
  /** Publishes that failed during the step (none expected). */
  publishErrors: number;
  /** CPU of the server processes together, in % of one core. */
  serverCpu: number;
  /** The share of the servers' CPU spent in the kernel (socket writes, loopback TCP). */
  serverKernelShare: number;
  /** Server CPU per delivery, in microseconds. */
  serverMicrosPerDelivery: number;
  /** Write system calls (write, writev) the servers made per delivery. */
  serverWritesPerDelivery: number;
  /** Read system calls the load generators made per delivery. */
  clientReadsPerDelivery: number;
  /** CPU of the load generators together, in % of one core. */
  clientCpu: number;
  clientKernelShare: number;
  /** The rest of the bench (NATS or Redis, the publishing parent), in % of one core. */
  brokerCpu: number;
  /** Processes on the machine that are not the bench's, in % of one core. */
  outsideCpu: number;
  saturated: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs `during(window)` hooks, e.g. a CPU profile, around the measured window only;
 * `inspectors` are the servers', for their event-loop delay.
 */
export async function runStep(
  system: RunningSystem,
  fleet: LoadFleet,
  inspectors: InspectorSession[],
  rate: number,
  options: StepOptions,
  during?: { start(): Promise<void>; stop(): Promise<void> },
): Promise<StepResult> {
  const start = await fleet.mark();
  const publishErrorsBefore = system.publishErrors();
  const clients = fleet.open - start.closed;
  // Deliveries each lot's event owes: its clients, less a share of those closed so far.
  const owedByLot = fleet.openByLot.map((n) => (n * clients) / (fleet.open || 1));
  const published: Publish[] = [];
  const began = performance.now();
  // Catch up on every tick, so a late timer does not lower the rate.
  const pacer = setInterval(() => {
    const due = Math.floor(((performance.now() - began) / 1000) * rate * owedByLot.length);
    while (published.length < due) {
      const lot = system.publish();
      published.push({ at: performance.now(), owed: owedByLot[lot]! });
    }
  }, 5);
  try {
    await sleep(options.warmupMs);
    await during?.start();
    const loopDelays = () => Promise.all(inspectors.map((s) => s.eventLoopDelay()));
    await loopDelays();
    const before = await fleet.mark();
    const cpuBefore = cpu(system, fleet);
    const t0 = performance.now();
    await sleep(options.windowMs);
    const after = await fleet.mark();
    const seconds = (performance.now() - t0) / 1000;
    const cpuAfter = cpu(system, fleet);
    const loop = await loopDelays();
    const lag = ageOfOldestUndelivered(published, after.delivered - start.delivered);
    clearInterval(pacer);
    await during?.stop();

    const owed = Math.round(published.reduce((sum, p) => sum + p.owed, 0));
    const end = await drain(fleet, start.delivered + owed, options.drainMs);
    const offered = rate * clients;
    const delivered = (after.delivered - before.delivered) / seconds;
    const p99 = percentile(after.samples, 99);
    return {
      rate,
      offered,
      delivered,
      p50: percentile(after.samples, 50),
      p99,
      max: after.samples.reduce((a, b) => Math.max(a, b), 0),
      loopDelayP99: Math.max(0, ...loop.map((d) => d.p99)),
      loopDelayMax: Math.max(0, ...loop.map((d) => d.max)),
      lag,
      undelivered: Math.max(0, start.delivered + owed - end.delivered),
      closed: end.closed - start.closed,
      publishErrors: system.publishErrors() - publishErrorsBefore,
      ...cpuShares(cpuBefore, cpuAfter, seconds),
      serverMicrosPerDelivery:
        ((cpuAfter.servers - cpuBefore.servers) * 1e6) / (after.delivered - before.delivered || 1),
      serverWritesPerDelivery:
        (cpuAfter.serverWrites - cpuBefore.serverWrites) /
        (after.delivered - before.delivered || 1),
      clientReadsPerDelivery:
        (cpuAfter.clientReads - cpuBefore.clientReads) / (after.delivered - before.delivered || 1),
      saturated: p99 > options.maxLagMs || lag * 1000 > options.maxLagMs,
    };
  } finally {
    clearInterval(pacer);
  }
}

/** An event published during a step: when, and how many deliveries it owes. */
interface Publish {
  at: number;
  owed: number;
}

/**
 * Counting events in order, the first that the deliveries so far do not cover for every
 * client of its lot, and its age now. Deliveries are only counted in total, so this
 * takes them as arriving in publish order; a client that lags pulls the age up, as it
 * should.
 */
function ageOfOldestUndelivered(published: Publish[], delivered: number) {
  let covered = 0;
  for (const event of published) {
    covered += event.owed;
    if (covered > delivered + 0.5) return (performance.now() - event.at) / 1000;
  }
  return 0;
}

/** Marks until `expected` deliveries have arrived or the time is up; the last mark. */
async function drain(fleet: LoadFleet, expected: number, drainMs: number) {
  const deadline = performance.now() + drainMs;
  for (;;) {
    const mark = await fleet.mark();
    if (mark.delivered >= expected || performance.now() > deadline) return mark;
    await sleep(250);
  }
}

type CpuReading = ReturnType<typeof cpu>;

/**
 * CPU seconds so far (the servers, the clients, the whole bench, the whole machine), and
 * the servers' writes and the clients' reads.
 */
function cpu(system: RunningSystem, fleet: LoadFleet) {
  const of = (pids: number[]) => {
    const times = pids.map(processCpuSeconds);
    const kernel = times.reduce((sum, t) => sum + t.kernel, 0);
    return { total: kernel + times.reduce((sum, t) => sum + t.user, 0), kernel };
  };
  const servers = of(system.pids);
  const clients = of(fleet.pids);
  const calls = (pids: number[]) => pids.map(processSystemCalls);
  return {
    serverWrites: calls(system.pids).reduce((sum, c) => sum + c.writes, 0),
    clientReads: calls(fleet.pids).reduce((sum, c) => sum + c.reads, 0),
    servers: servers.total,
    serversKernel: servers.kernel,
    clients: clients.total,
    clientsKernel: clients.kernel,
    bench: of([process.pid, ...childrenOf(process.pid)]).total,
    machine: machineCpuSeconds().busy,
  };
}

/** Each part's CPU over the window, in % of one core (the machine has 200%). */
function cpuShares(before: CpuReading, after: CpuReading, seconds: number) {
  const used = (key: keyof CpuReading) => after[key] - before[key];
  const pct = (key: keyof CpuReading) => (used(key) / seconds) * 100;
  return {
    serverCpu: pct("servers"),
    serverKernelShare: used("serversKernel") / (used("servers") || 1),
    clientCpu: pct("clients"),
    clientKernelShare: used("clientsKernel") / (used("clients") || 1),
    brokerCpu: pct("bench") - pct("servers") - pct("clients"),
    outsideCpu: Math.max(0, pct("machine") - pct("bench")),
  };
}
