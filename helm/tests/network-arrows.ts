// The arrows a rendered release's NetworkPolicies allow: which pod may open a connection
// to which, on which port. network-policies.test.ts holds them to the chart's design;
// architecture-map.test.ts holds docs/architecture.md's map to them.
import type {
  INetworkPolicy,
  INetworkPolicyPeer,
  INetworkPolicyPort,
} from "kubernetes-models/networking.k8s.io/v1";
import { podTemplates, type K8sObject, type PodTemplate } from "./chart.ts";

export type Policy = INetworkPolicy & K8sObject;

export const policiesOf = (objects: K8sObject[]) =>
  objects.filter((o): o is Policy => o.kind === "NetworkPolicy");

export const selects = (
  selector: Record<string, string> | undefined,
  labels: Record<string, string>,
) => Object.entries(selector ?? {}).every(([k, v]) => labels[k] === v);

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

/** Every `from -> to:port` the policies allow among the release's own pods, by component. */
export function allowedArrows(objects: K8sObject[]): Set<string> {
  const pods = podTemplates(objects);
  const policies = policiesOf(objects);
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

/** The components whose policies let the ingress controller (namespace ingress-nginx) in. */
export function ingressControllerTargets(objects: K8sObject[]): string[] {
  return policiesOf(objects)
    .filter((p) =>
      (p.spec!.ingress ?? []).some((r) =>
        r.from?.some(
          (peer) =>
            peer.namespaceSelector?.matchLabels?.["kubernetes.io/metadata.name"] ===
            "ingress-nginx",
        ),
      ),
    )
    .map((p) => p.spec!.podSelector!.matchLabels!["app.kubernetes.io/component"]!)
    .sort();
}
