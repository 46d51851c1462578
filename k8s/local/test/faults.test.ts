import { describe, test } from "vitest";
import { runRound, type FaultPlan } from "../../../faults/src/round.ts";
import { expectHeld } from "../../../faults/test/faults.ts";
import {
  chartDir,
  helm,
  kubectl,
  kubectlJson,
  namespace,
  objectName,
  release,
  releasePods,
} from "./cluster.ts";
import { ReleaseTarget } from "./release-target.ts";

// The fault suite's rounds (faults/src/round.ts), on pods: lots, bidders through the edge,
// followers over WebSocket and SSE, readers over REST and GraphQL; the fault while bids
// flow; then the same checks against the streams: every acknowledged bid stored once, one
// winner, every follower got every event once and in order, notifications and invoices
// once each, no wrong answer, no crash.

interface Deployment {
  metadata: { name: string; generation: number };
  status: { observedGeneration?: number; updatedReplicas?: number; replicas?: number };
}

async function deployments(): Promise<Deployment[]> {
  const list = await kubectlJson<{ items: Deployment[] }>([
    "-n",
    namespace,
    "get",
    "deployments",
    "-l",
    `app.kubernetes.io/instance=${release}`,
  ]);
  return list.items;
}

async function rolledOut(names: string[]): Promise<void> {
  for (const name of names) {
    const result = await kubectl(
      ["-n", namespace, "rollout", "status", `deployment/${name}`, "--timeout=180s"],
      200_000,
    );
    if (result.code !== 0) throw new Error(`${name} did not roll out: ${result.stderr}`);
  }
}

async function podOf(component: string): Promise<string> {
  return (await releasePods(component))[0]!.metadata.name;
}

const plans: Array<FaultPlan<ReleaseTarget>> = [
  {
    fault: "helm upgrade with a changed value: every app's Deployment rolls",
    at: 3_000,
    // Open until the rollout is over, so every replacement happens under load.
    lotMs: 110_000,
    settleMs: 60_000,
    async run() {
      const before = new Map(
        (await deployments()).map((d) => [d.metadata.name, d.metadata.generation]),
      );
      const result = await helm([
        "upgrade",
        release,
        chartDir,
        "--namespace",
        namespace,
        "--reuse-values",
        "--set",
        "logLevel=debug",
        "--wait",
        "--timeout",
        "6m",
      ]);
      if (result.code !== 0) throw new Error(`helm upgrade failed: ${result.stderr}`);
      // Every app's Deployment takes logLevel; Jaeger's (memory storage, Recreate) does not.
      const after = (await deployments()).filter((d) => d.metadata.name !== objectName("jaeger"));
      const unrolled = after.filter((d) => d.metadata.generation === before.get(d.metadata.name));
      if (unrolled.length > 0)
        throw new Error(`not rolled: ${unrolled.map((d) => d.metadata.name).join(", ")}`);
    },
  },
  {
    fault: "a bidding pod deleted, a push pod force-deleted (grace 0)",
    at: 4_000,
    lotMs: 30_000,
    async run() {
      const [bidding, push] = await Promise.all([podOf("bidding"), podOf("push")]);
      const deleted = await Promise.all([
        kubectl(["-n", namespace, "delete", "pod", bidding, "--wait=false"]),
        kubectl([
          "-n",
          namespace,
          "delete",
          "pod",
          push,
          "--grace-period=0",
          "--force",
          "--wait=false",
        ]),
      ]);
      for (const d of deleted) if (d.code !== 0) throw new Error(d.stderr);
      await rolledOut([objectName("bidding"), objectName("push")]);
    },
  },
];

describe("the fault suite's rounds on the release's pods", () => {
  test.each(plans.map((p) => [p.fault, p] as const))(
    "%s",
    async (_, plan) => {
      const target = await ReleaseTarget.open();
      const result = await runRound(target, plan);
      process.stderr.write(
        `[cluster faults] ${plan.fault}: ${result.verdict.counts.acked} bids acknowledged, ` +
          `retried: ${result.retryable || "nothing"}\n`,
      );
      expectHeld(result);
    },
    600_000,
  );
});
