import { afterAll, beforeAll, describe, it } from "vitest";
import { LOT_EVENTS_STREAM } from "@gavel/nats";
import { startNatsCluster, type NatsClusterHandle } from "@gavel/testing";
import { FaultStack } from "../src/fault-stack.ts";
import { saveResults } from "../src/report.ts";
import { runRound, type FaultPlan, type RoundResult } from "../src/round.ts";
import { expectHeld, sleep } from "./faults.ts";

/**
 * The whole stack on a three-node NATS cluster on loopback ports, every stream and bucket
 * replicated three times, as the Helm chart runs it: a node dies (`kill -9`) while bids
 * flow, first one that leads nothing of the lot events, then their leader.
 */
let nats: NatsClusterHandle;
let stack: FaultStack;
const results: RoundResult[] = [];

beforeAll(async () => {
  nats = await startNatsCluster({ size: 3 });
  stack = await FaultStack.start(nats, 3);
});
afterAll(async () => {
  await stack?.stop();
  await nats?.stop();
  saveResults("2-nats-cluster", results);
});

/**
 * Consumers whose leader was on the lost node wait out two missed heartbeats (5 s) and a
 * redelivery before they move on; on a busy machine that has taken close to 20 s.
 */
const CLUSTER_SETTLE_MS = 45_000;

const killNode = (choose: (leader: string) => string) => async () => {
  const node = nats.node(choose(await nats.streamLeader(LOT_EVENTS_STREAM)));
  await node.kill("SIGKILL");
  await sleep(2_000);
  await node.restart();
};

const plans: FaultPlan[] = [
  {
    fault:
      "3-node NATS cluster, R3 streams: `kill -9` a node that does not lead LOT_EVENTS; restarted 2 s later",
    at: 3_000,
    run: killNode((leader) => nats.nodes.find((n) => n.name !== leader)!.name),
    settleMs: CLUSTER_SETTLE_MS,
  },
  {
    fault: "3-node NATS cluster, R3 streams: `kill -9` the LOT_EVENTS leader; restarted 2 s later",
    at: 3_000,
    run: killNode((leader) => leader),
    settleMs: CLUSTER_SETTLE_MS,
  },
];

describe("faults in a three-node NATS cluster, under load", () => {
  for (const plan of plans) {
    it(`holds every guarantee: ${plan.fault}`, async () => {
      const result = await runRound(stack, plan);
      results.push(result);
      expectHeld(result);
    });
  }
});
