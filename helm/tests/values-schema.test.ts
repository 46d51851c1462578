import { describe, expect, test } from "vitest";
import { helm } from "./chart.ts";

/** helm template with these arguments must fail, saying this. */
const wrong: Array<{ what: string; args: string[]; says: RegExp }> = [
  {
    what: "replicas given as a word",
    args: ["--set-string", "apps.bidding.replicas=three"],
    says: /apps\/bidding\/replicas/,
  },
  {
    what: "an unknown top-level key",
    args: ["--set", "replicas=3"],
    says: /additional properties 'replicas'/,
  },
  {
    what: "a misspelt app setting",
    args: ["--set", "apps.edge.replica=3"],
    says: /additional properties 'replica'/,
  },
  {
    what: "an unknown protocol",
    args: ["--set", "apps.edge.protocol=grpc"],
    says: /apps\/edge\/protocol/,
  },
  {
    what: "a sampling ratio above 1",
    args: ["--set-string", "telemetry.samplerArg=2"],
    says: /samplerArg/,
  },
  {
    what: "an app that may publish anywhere",
    args: ["--set", "apps.bidding.nats.publish[0]=>"],
    says: /apps\/bidding\/nats\/publish\/0/,
  },
  { what: "an even NATS cluster", args: ["--set", "nats.replicas=2"], says: /nats\/replicas/ },
  {
    what: "more stream replicas than servers",
    args: ["--set", "storageReplicas=5"],
    says: /cannot exceed/,
  },
  {
    what: "a call to an app that is not installed",
    args: ["--set", "apps.settlement.enabled=false"],
    says: /apps\.(bff|edge)\.calls names settlement, which is not an enabled app/,
  },
  {
    what: "a registry without its slash",
    args: ["--set", "image.registry=ghcr.io/acme"],
    says: /registry/,
  },
  {
    what: "a push feed mode the gateway does not have",
    args: ["--set", "apps.push.env.GAVEL_PUSH_FEEDS=per-lot"],
    says: /GAVEL_PUSH_FEEDS/,
  },
  {
    what: "a container without a memory limit",
    args: ["--set", "apps.push.resources.limits=null"],
    says: /limits/,
  },
  {
    what: "a lame duck time NATS refuses",
    args: ["--set", "nats.lameDuckSeconds=10"],
    says: /lameDuckSeconds/,
  },
];

describe("values.schema.json and the chart's own checks refuse wrong values", () => {
  test.each(wrong)("$what", async ({ args, says }) => {
    const result = await helm(["template", "demo", ".", ...args]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(says);
  });

  test("the default values pass", async () => {
    expect((await helm(["template", "demo", "."])).code).toBe(0);
  });
});
