import { describe, expect, test } from "vitest";
import { apps, podTemplates, render, variations } from "./chart.ts";
import { allowedArrows, ingressControllerTargets, policiesOf, selects } from "./network-arrows.ts";

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
      const policies = policiesOf(objects);
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
    expect(ingressControllerTargets(objects)).toEqual(["bff", "edge", "push"]);
    const policies = policiesOf(objects);
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
