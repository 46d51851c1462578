/**
 * One stack of the tracing bench: catalog and bidding as real processes on a NATS of
 * their own (the catalog's projector is one durable consumer per NATS, which two stacks
 * would share), behind the front a bid path puts before them (rest-bid-path.ts,
 * ws-bid-path.ts), with that path's bidders and lots.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Market, RestLot } from "@gavel/load";
import { serviceEnv, ServiceGroup, type AppName, type ServiceProcess } from "@gavel/testing";
import { startBenchNats } from "../shared/bench-nats.ts";
import { cpuSecondsByGroup } from "../shared/cpu-time.ts";

export type Tracing = "off" | "on";

export interface StackOptions {
  tracing: Tracing;
  /** The OTEL_* settings of every process of the stack. */
  otel: Record<string, string>;
  /** Users with tokens the services trust: the first lists the lots, the others bid. */
  users: Array<{ id: string; token: string }>;
  /** Concurrent bids at most (the REST path's connection pool). */
  concurrency: number;
  /** Where --cpu-prof puts each process's profile, but the catalog's. */
  profileDir?: string;
}

/** What a path gets to build its front on. */
export interface StackBase {
  options: StackOptions;
  catalog: ServiceProcess;
  bidding: ServiceProcess;
  /** Starts one more process of the stack, with the stack's settings and these. */
  start(app: AppName, env: Record<string, string>): Promise<ServiceProcess>;
}

/** What a path adds: the front's clients (a plain object, spread into the stack). */
export interface StackFront {
  /** Lists `count` fresh lots open for an hour, as the stack's seller. */
  newLots(count: number): Promise<RestLot[]>;
  /** The stack's bidders on the lots. */
  market(lots: RestLot[]): Market;
  close(): void;
}

/** The i-th lot of a run, the same on every path: EUR 1.00 to start, open an hour. */
export function benchLot(i: number) {
  return {
    title: `Bench lot ${i}`,
    startingPrice: { currency: "EUR", amountMinor: 100 },
    endsAtMs: Date.now() + 3600_000,
  };
}

export interface BidPath {
  /** Says, in a table's heading, what is measured. */
  description: string;
  startFront(base: StackBase): Promise<StackFront>;
}

export interface BidStack extends StackFront {
  tracing: Tracing;
  /** Each process's CPU seconds so far, by app. */
  cpuSeconds(): Record<string, number>;
  stop(): Promise<void>;
}

export async function startBidStack(path: BidPath, options: StackOptions): Promise<BidStack> {
  const nats = await startBenchNats();
  const group = new ServiceGroup();
  let front: StackFront | undefined;
  const stop = async () => {
    front?.close();
    await group.stop();
    await nats.stop();
  };
  try {
    const env = { ...serviceEnv(nats.url), LOG_LEVEL: "warn", ...options.otel };
    const start = (app: AppName, more: Record<string, string>) =>
      group.start(app, profiled(app, { ...env, ...more }, options));
    const [catalog, bidding] = [await start("catalog", {}), await start("bidding", {})];
    front = await path.startFront({ options, catalog, bidding, start });
    return { ...front, tracing: options.tracing, cpuSeconds: () => cpuOf(group), stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** The env that makes the process write a CPU profile at exit, when profiles are asked for. */
function profiled(app: AppName, env: Record<string, string>, options: StackOptions) {
  if (!options.profileDir || app === "catalog") return env;
  const dir = join(options.profileDir, `${options.tracing}-${app}`);
  mkdirSync(dir, { recursive: true });
  return { ...env, NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${dir}` };
}

/** By app, in the order a bid goes through them: the front first, the catalog last. */
function cpuOf(group: ServiceGroup): Record<string, number> {
  const byApp = group.processes.map((p): [string, number[]] => [p.app, [p.pid]]).reverse();
  return cpuSecondsByGroup(Object.fromEntries(byApp));
}
