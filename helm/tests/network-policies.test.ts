import type {
  INetworkPolicy,
  INetworkPolicyPeer,
  INetworkPolicyPort,
} from "kubernetes-models/networking.k8s.io/v1";
import { describe, expect, test } from "vitest";
import {
  apps,
  podTemplates,
  render,
  variations,
  type K8sObject,
  type PodTemplate,
} from "./chart.ts";

type Policy = INetworkPolicy & K8sObject;

const selects = (selector: Record<string, string> | undefined, labels: Record<string, string>) =>
  Object.entries(selector ?? {}).every(([k, v]) => labels[k] === v);

const componentOf = (pod: PodTemplate) => pod.labels["app.kubernetes.io/component"]!;

function containerPorts(pod: PodTemplate): number[] {
  return pod.spec.containers.flatMap((c) => (c.ports ?? []).map((p) => p.containerPort));
}

/** Whether a peer list lets this pod through (only same-namespace pod selectors name our pods). */
function peersAdmit(peers: INetworkPolicyPeer[] | undefined, pod: PodTemplate): boolean {
  if (peers === undefined) return true;
  return peers.some(
    (p) => !p.namespaceSelector && !p.ipBlock && selects(p.podSelector?.matchLabels, pod.labels),
  );
}

const portsAdmit = (ports: INetworkPolicyPort[] | undefined, port: number) =>
  ports === undefined || ports.some((p) => p.port === port);

/** Every from -> to:port the policies allow among the release's own pods. */
function allowedArrows(objects: K8sObject[]): Set<string> {
  const pods = podTemplates(objects);
  const policies = objects.filter((o): o is Policy => o.kind === "NetworkPolicy");
  const governing = (pod: PodTemplate) =>
    policies.filter((p) => selects(p.spec!.podSelector?.matchLabels, pod.labels));
  const arrows = new Set<string>();
  for (const from of pods) {
    for (const to of pods) {
      for (const port of containerPorts(to)) {
        const out = governing(from).some((p) =>
          (p.spec!.egress ?? []).some((r) => peersAdmit(r.to, to) && portsAdmit(r.ports, port)),
        );
        const into = governing(to).some((p) =>
          (p.spec!.ingress ?? []).some(
            (r) => peersAdmit(r.from, from) && portsAdmit(r.ports, port),
          ),
        );
        if (out && into) arrows.add(`${componentOf(from)} -> ${componentOf(to)}:${port}`);
      }
    }
  }
  return arrows;
}

const rpc: Record<string, number> = {
  identity: 7103,
  catalog: 7101,
  bidding: 7102,
  settlement: 7104,
};

/** The architecture's arrows, and only those. */
function expectedArrows(jaeger: boolean, traceView = jaeger): Set<string> {
  const arrows = [
    ...["edge", "bff"].flatMap((a) =>
      Object.entries(rpc).map(([b, port]) => `${a} -> ${b}:${port}`),
    ),
    "push -> bidding:7102",
    ...apps.map((a) => `${a} -> nats:4222`),
    "nats -> nats:6222",
    "smoke-test -> edge:8080",
    "smoke-test -> bff:4000",
    "smoke-test -> push:8090",
    ...(jaeger ? apps.flatMap((a) => [`${a} -> jaeger:4317`, `${a} -> jaeger:4318`]) : []),
    // The page's waterfall, read through the edge.
    ...(traceView ? ["edge -> jaeger:16686"] : []),
  ];
  return new Set(arrows);
}

describe("network policies: deny by default, allow exactly the architecture's arrows", () => {
  test.each(variations)(
    "every pod is denied by default and has its own policy, with $name",
    async ({ args }) => {
      const objects = await render(args);
      const policies = objects.filter((o): o is Policy => o.kind === "NetworkPolicy");
      const deny = policies.find((p) => p.metadata.name.endsWith("-default-deny"))!;
      expect(deny.spec!.policyTypes).toEqual(["Ingress", "Egress"]);
      expect(deny.spec!.ingress ?? []).toEqual([]);
      expect(deny.spec!.egress ?? []).toEqual([]);
      for (const pod of podTemplates(objects)) {
        expect(selects(deny.spec!.podSelector?.matchLabels, pod.labels), pod.owner).toBe(true);
        const own = policies.filter(
          (p) => p !== deny && selects(p.spec!.podSelector?.matchLabels, pod.labels),
        );
        expect(own.length, pod.owner).toBeGreaterThan(0);
      }
    },
  );

  test("between the release's pods, with Jaeger", async () => {
    expect([...allowedArrows(await render())].sort()).toEqual([...expectedArrows(true)].sort());
  });

  test("between the release's pods, with Jaeger but no trace view", async () => {
    const objects = await render(["--set", "jaeger.traceView=false"]);
    expect([...allowedArrows(objects)].sort()).toEqual([...expectedArrows(true, false)].sort());
  });

  test("between the release's pods, without Jaeger", async () => {
    const objects = await render(["--set", "jaeger.enabled=false"]);
    expect([...allowedArrows(objects)].sort()).toEqual([...expectedArrows(false)].sort());
  });

  test("from outside: the ingress controller reaches the edge, the BFF and the push gateway only", async () => {
    const objects = await render();
    const policies = objects.filter((o): o is Policy => o.kind === "NetworkPolicy");
    const fromController = policies.filter((p) =>
      (p.spec!.ingress ?? []).some((r) =>
        r.from?.some(
          (peer) =>
            peer.namespaceSelector?.matchLabels?.["kubernetes.io/metadata.name"] ===
            "ingress-nginx",
        ),
      ),
    );
    expect(
      fromController
        .map((p) => p.spec!.podSelector?.matchLabels!["app.kubernetes.io/component"])
        .sort(),
    ).toEqual(["bff", "edge", "push"]);
    const external = policies.flatMap((p) =>
      (p.spec!.egress ?? []).filter(
        (r) => r.to === undefined || r.to.some((peer) => peer.namespaceSelector || peer.ipBlock),
      ),
    );
    // DNS for every component, and the key hook's way to the Kubernetes API.
    for (const rule of external) {
      const ports = (rule.ports ?? []).map((p) => p.port).sort();
      expect([JSON.stringify([53, 53]), JSON.stringify([443, 6443])]).toContain(
        JSON.stringify(ports),
      );
    }
  });
});
