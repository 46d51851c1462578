import { afterAll, beforeAll, describe, it } from "vitest";
import { startNatsCluster, type NatsClusterHandle } from "@gavel/testing";
import { FaultStack } from "../src/fault-stack.ts";
import { saveResults } from "../src/report.ts";
import { LOT_MS, runRound, type FaultPlan, type RoundResult } from "../src/round.ts";
import { expectHeld, sleep } from "./faults.ts";

/**
 * The whole stack on one NATS server with file storage (the local stack's setup): each
 * round kills pieces while bids flow, then checks every guarantee (src/checks.ts).
 */
let nats: NatsClusterHandle;
let stack: FaultStack;
const results: RoundResult[] = [];

beforeAll(async () => {
  nats = await startNatsCluster({ size: 1 });
  stack = await FaultStack.start(nats);
});
afterAll(async () => {
  await stack?.stop();
  await nats?.stop();
  saveResults("1-single-nats", results);
});

/** Kills the replicas together, and after `downMs` starts them again on their ports. */
const killAndRestart = (names: string[], downMs: number) => async (s: FaultStack) => {
  await Promise.all(names.map((name) => s.kill(name, "SIGKILL")));
  await sleep(downMs);
  await Promise.all(names.map((name) => s.restart(name)));
};

const plans: FaultPlan[] = [
  {
    fault: "`kill -9` one of two bidding replicas; restarted 1 s later",
    at: 3_000,
    run: killAndRestart(["bidding-a"], 1_000),
  },
  {
    fault: "NATS (one server, file storage) restarted: SIGTERM, then started again",
    at: 3_000,
    run: async () => {
      const [server] = nats.nodes;
      await server!.kill("SIGTERM");
      await sleep(1_000);
      await server!.restart();
    },
  },
  {
    fault: "`kill -9` one push replica; once it is back, SIGTERM (drain) the other",
    at: 2_000,
    run: async (s) => {
      await killAndRestart(["push-a"], 1_000)(s);
      await s.kill("push-b", "SIGTERM");
      await s.restart("push-b");
    },
  },
  {
    fault:
      "rolling update: SIGTERM each bidding, edge and BFF replica in turn, each back before the next",
    at: 1_000,
    run: async (s) => {
      for (const name of ["bidding-a", "bidding-b", "edge-a", "edge-b", "bff-a", "bff-b"]) {
        await s.kill(name, "SIGTERM");
        await s.restart(name);
      }
    },
  },
  {
    fault: "`kill -9` an edge and a BFF replica; restarted 1 s later",
    at: 3_000,
    run: killAndRestart(["edge-a", "bff-a"], 1_000),
  },
  {
    fault: "`kill -9` a notifier and a settlement replica as the lots close; restarted 1.5 s later",
    at: LOT_MS + 300,
    run: killAndRestart(["notifier-a", "settlement-a"], 1_500),
    // What the killed replicas held unacknowledged comes back after their consumers'
    // ack waits (notifier 10 s, settlement 30 s).
    settleMs: 50_000,
  },
];

describe("faults on a single NATS server, under load", () => {
  for (const plan of plans) {
    it(`holds every guarantee: ${plan.fault}`, async () => {
      const result = await runRound(stack, plan);
      results.push(result);
      expectHeld(result);
    });
  }
});
