import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { kubectl, kubectlJson, namespace, objectName, release } from "./cluster.ts";

// The chart's NetworkPolicies, enforced by the cluster's policy engine (kube-router, on
// the node): a probe pod carrying a component's labels opens TCP connections; every arrow
// of the architecture connects, anything else is refused (kube-router answers with a
// REJECT, so a refusal is ECONNREFUSED, not a timeout).

const probeScript = readFileSync(new URL("fixtures/connect-probe.mjs", import.meta.url), "utf8");
const probes: string[] = [];
let image: string;

beforeAll(async () => {
  // Any app image has node; the edge's is used as is.
  const edge = await kubectlJson<{
    spec: { template: { spec: { containers: Array<{ image: string }> } } };
  }>(["-n", namespace, "get", "deployment", objectName("edge")]);
  image = edge.spec.template.spec.containers[0]!.image;
});

afterAll(async () => {
  // Deleted and gone before the next file counts the release's pods.
  if (probes.length > 0)
    await kubectl(["-n", namespace, "delete", "pod", ...probes, "--wait", "--timeout=60s"]);
});

const service = (component: string, port: number) => `${objectName(component)}:${port}`;
/** A NATS server's cluster (route) port, by pod name through the headless Service. */
const natsRoutes = `${objectName("nats")}-0.${objectName("nats")}-headless:6222`;
const ports = { identity: 7103, catalog: 7101, bidding: 7102, settlement: 7104, nats: 4222 };

/**
 * Runs the probe in a pod labelled as `component` of the release (none: a pod of the
 * namespace that is no part of it) and answers what each connection got.
 */
async function connectionsFrom(
  component: string | undefined,
  allowed: string[],
  forbidden: string[],
): Promise<Record<string, string>> {
  const name = `probe-${component ?? "outsider"}`;
  probes.push(name);
  const labels = component
    ? {
        "app.kubernetes.io/name": "gavel",
        "app.kubernetes.io/instance": release,
        "app.kubernetes.io/component": component,
      }
    : { "gavel.test/probe": "outsider" };
  const pod = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace, labels },
    spec: {
      restartPolicy: "Never",
      containers: [
        {
          name: "probe",
          image,
          imagePullPolicy: "Never",
          command: [
            "node",
            "--input-type=module",
            "-e",
            probeScript,
            allowed.join(","),
            forbidden.join(","),
          ],
          // Never Ready, so never an endpoint of the component's Service meanwhile.
          readinessProbe: { exec: { command: ["false"] } },
        },
      ],
    },
  };
  const manifest = join(mkdtempSync(join(tmpdir(), "gavel-probe-")), `${name}.json`);
  writeFileSync(manifest, JSON.stringify(pod));
  const created = await kubectl(["create", "-f", manifest]);
  if (created.code !== 0) throw new Error(`creating ${name}: ${created.stderr}`);
  const done = await kubectl(
    [
      "-n",
      namespace,
      "wait",
      "--for=jsonpath={.status.phase}=Succeeded",
      `pod/${name}`,
      "--timeout=90s",
    ],
    100_000,
  );
  const logs = await kubectl(["-n", namespace, "logs", name]);
  if (done.code !== 0) throw new Error(`${name} did not finish: ${done.stderr}\n${logs.stdout}`);
  return JSON.parse(logs.stdout) as Record<string, string>;
}

/** What the probe should answer: every allowed target connected, every other refused. */
function expected(allowed: string[], forbidden: string[]): Record<string, string> {
  return Object.fromEntries([
    ...allowed.map((t) => [t, "connected"]),
    ...forbidden.map((t) => [t, "ECONNREFUSED"]),
  ]);
}

test.each([
  {
    who: "push",
    allowed: [service("bidding", ports.bidding), service("nats", ports.nats)],
    // The three: push to identity; anything but edge and BFF to settlement; any
    // app to NATS's cluster port.
    forbidden: [
      service("identity", ports.identity),
      service("settlement", ports.settlement),
      service("catalog", ports.catalog),
      natsRoutes,
    ],
  },
  {
    who: "edge",
    allowed: [
      ...(["identity", "catalog", "bidding", "settlement"] as const).map((c) =>
        service(c, ports[c]),
      ),
      service("nats", ports.nats),
      service("jaeger", 4318),
    ],
    forbidden: [natsRoutes, service("bff", 4000), service("push", 8090)],
  },
  {
    who: "catalog",
    allowed: [service("nats", ports.nats)],
    forbidden: [service("settlement", ports.settlement), service("identity", ports.identity)],
  },
  {
    who: "notifier",
    allowed: [service("nats", ports.nats)],
    forbidden: [service("settlement", ports.settlement), service("bidding", ports.bidding)],
  },
])(
  "a pod labelled $who reaches exactly its arrows",
  async ({ who, allowed, forbidden }) => {
    expect(await connectionsFrom(who, allowed, forbidden)).toEqual(expected(allowed, forbidden));
  },
  150_000,
);

test("a pod outside the release reaches none of it", async () => {
  const forbidden = [
    service("edge", 8080),
    service("settlement", ports.settlement),
    service("nats", ports.nats),
  ];
  expect(await connectionsFrom(undefined, [], forbidden)).toEqual(expected([], forbidden));
}, 150_000);
