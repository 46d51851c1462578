import { randomUUID } from "node:crypto";
import type { NatsConnection } from "@nats-io/nats-core";
import { EdgeHttp } from "@gavel/load";
import { SseFollower, Tally, WsFollower, type Follower } from "@gavel/testing";
import { BiddingLoad, type Bidder, type FaultLot } from "./bidding-load.ts";
import { checkRound, type RoundEvidence, type Verdict } from "./checks.ts";
import type { FaultStack, Health } from "./fault-stack.ts";
import { Readers } from "./readers.ts";
import { Storage } from "./storage.ts";

/**
 * What a round runs against: the suite's own processes (FaultStack), or a release on a
 * Kubernetes cluster (k8s/local/test).
 */
export interface RoundTarget {
  /** Where clients reach the fronts. */
  readonly urls: { edge: string; bff: string; push: string };
  /** A NATS connection allowed to read the lot, notification and invoice streams. */
  connectNats(): Promise<NatsConnection>;
  /** A token the target's services accept for this user. */
  mintToken(userId: string): Promise<string>;
  /** Replicas down, and crashes since the start. */
  health(): Promise<Health>;
}

/** One fault: what breaks, when, and how it is mended. */
export interface FaultPlan<T extends RoundTarget = FaultStack> {
  /** What breaks, as the report's first column says it. */
  fault: string;
  /** When, in ms after the load starts (lots end at lotMs). */
  at: number;
  /** Breaks it and mends it (restarts what it killed), awaiting both. */
  run(target: T): Promise<void>;
  /** How long the guarantees may take to hold after the lots closed (ack waits). */
  settleMs?: number;
  /** When the lots end, after the load starts; LOT_MS unless the fault takes longer. */
  lotMs?: number;
}

export interface RoundResult {
  fault: string;
  load: string;
  verdict: Verdict;
  /** What clients were told to retry (or the network errors they saw), counted. */
  retryable: string;
  /** Answers that were wrong (never retryable, never right). */
  wrong: string[];
  health: Health;
  seconds: number;
}

/** When the lots end, after the load starts: the fault lands while bids flow. */
export const LOT_MS = 10_000;
const LOTS = 4;
const BIDDERS = 12;
const WORKERS = 8;
const WS_PER_LOT = 2;
const STARTING_MINOR = 10_00;

/**
 * One round: fresh lots ending in lotMs, bidders, followers over WebSocket and SSE,
 * readers over REST and GraphQL; the fault at its time; then, once every lot is closed
 * and refused bids say so, the checks, retried until they hold or the settle time is up
 * (notifications and invoices follow the close through durable consumers, whose
 * redeliveries after a kill wait out their ack wait).
 */
export async function runRound<T extends RoundTarget>(
  stack: T,
  plan: FaultPlan<T>,
): Promise<RoundResult> {
  const started = Date.now();
  const lotMs = plan.lotMs ?? LOT_MS;
  const log = (line: string) =>
    process.stderr.write(
      `[faults ${((Date.now() - started) / 1000).toFixed(1)}s] ${plan.fault}: ${line}\n`,
    );
  const bidders = await Promise.all(
    Array.from({ length: BIDDERS }, async (): Promise<Bidder> => {
      const id = randomUUID();
      return { id, token: await stack.mintToken(id) };
    }),
  );
  const lots = await createLots(stack, started + lotMs);
  const followers: Follower[] = await Promise.all(
    lots.flatMap((lot) => [
      ...Array.from({ length: WS_PER_LOT }, () => new WsFollower(stack.urls.push, `lot:${lot.id}`)),
      new SseFollower(stack.urls.push, lot.id),
      // The seller hears that the lot sold, then about its invoice.
      stack
        .mintToken(lot.sellerId)
        .then((token) => new WsFollower(stack.urls.push, `user:${lot.sellerId}`, token)),
    ]),
  );
  await Promise.all(followers.map((f) => f.start()));
  const readers = new Readers(
    stack.urls.edge,
    stack.urls.bff,
    lots.map((l) => l.id),
  );
  const load = new BiddingLoad(stack.urls.edge, lots, bidders, STARTING_MINOR);
  load.start(WORKERS);
  log(`${LOTS} lots, ${WORKERS} bidding workers, ${followers.length} followers, 2 readers`);

  const fault = (async () => {
    await sleep(plan.at - (Date.now() - started));
    log("fault");
    await plan.run(stack);
    log("mended");
  })();
  await Promise.race([load.finished(), sleep(lotMs + 60_000)]);
  await load.stop();
  await fault;
  await readers.stop();
  const loadSeconds = (Date.now() - started) / 1000;
  log(`load done: ${load.count("acked")} bids acknowledged, ${load.count("refused")} refused`);

  const nc = await stack.connectNats();
  let verdict: Verdict;
  try {
    const storage = await Storage.open(nc);
    const deadline = Date.now() + (plan.settleMs ?? 30_000);
    for (;;) {
      verdict = checkRound(await gather(storage, lots, bidders, load, followers, readers));
      if (verdict.violations.length === 0 || Date.now() > deadline) break;
      await sleep(500);
    }
  } finally {
    await nc.close();
    for (const follower of followers) follower.stop();
  }
  const health = await stack.health();
  log(`checked: ${verdict.violations.length} violations`);
  return {
    fault: plan.fault,
    load:
      `${LOTS} lots, ${WORKERS} bidding workers for ${BIDDERS} bidders, ${followers.length} followers ` +
      `(${LOTS * (WS_PER_LOT + 1)} WS, ${LOTS} SSE), 2 readers; ` +
      `${Math.round(load.count("acked") / loadSeconds)} bids/s acknowledged over the round`,
    verdict,
    retryable: told(load, readers, followers),
    wrong: [...load.wrong, ...readers.wrong],
    health,
    seconds: Math.round((Date.now() - started) / 1000),
  };
}

/** What clients were told to retry, and how followers' connections ended under them. */
function told(load: BiddingLoad, readers: Readers, followers: Follower[]): string {
  const drops = new Tally();
  for (const follower of followers) drops.addAll(follower.drops, follower.kind);
  return [load.retryable, readers.retryable, drops]
    .map((tally) => tally.toString())
    .filter(Boolean)
    .join(", ");
}

async function gather(
  storage: Storage,
  lots: FaultLot[],
  bidders: Bidder[],
  load: BiddingLoad,
  followers: Follower[],
  readers: Readers,
): Promise<RoundEvidence> {
  const events = new Map(
    await Promise.all(lots.map(async (lot) => [lot.id, await storage.lotEvents(lot.id)] as const)),
  );
  const users = [...bidders.map((b) => b.id), ...lots.map((l) => l.sellerId)];
  return {
    lots: events,
    bids: load.bids,
    followers: followers.map((f, i) => ({
      name: `${f.kind} follower ${i} of ${f.channel}`,
      channel: f.channel,
      seqs: f.seqs,
    })),
    notifications: await storage.notifications(users),
    invoices: await storage.invoices(lots.map((l) => l.id)),
    reads: readers.observations,
  };
}

/** Lots by as many sellers, listed through the edge, ending at `endsAt` with a 1 s snipe window. */
async function createLots(target: RoundTarget, endsAt: number): Promise<FaultLot[]> {
  const http = new EdgeHttp(target.urls.edge, LOTS);
  try {
    return await Promise.all(
      Array.from({ length: LOTS }, async (_, i) => {
        const sellerId = randomUUID();
        const res = await http.send("POST", "/v1/lots", {
          headers: {
            authorization: `Bearer ${await target.mintToken(sellerId)}`,
            "idempotency-key": randomUUID(),
          },
          body: {
            title: `Fault lot ${i + 1}`,
            starting_price: { currency: "EUR", amount_minor: STARTING_MINOR },
            ends_at: new Date(endsAt).toISOString(),
            snipe_window_seconds: 1,
          },
        });
        if (res.status !== 201)
          throw new Error(`listing a lot answered ${res.status}: ${res.body}`);
        return { id: res.json<{ id: string }>().id, sellerId, endsAt };
      }),
    );
  } finally {
    http.close();
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
