import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import type { IPodSpec } from "kubernetes-models/v1";
import { inject } from "vitest";
import { parseAllDocuments } from "yaml";

import "./provided-context.ts";

const run = promisify(execFile);

export const chartDir = fileURLToPath(new URL("../gavel", import.meta.url));
export const release = "demo";
export const namespace = "auctions";

/** A rendered object, with the fields every kind has. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [field: string]: unknown;
}

export interface HelmResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the pinned helm in the chart's folder (so `-f values-kind.yaml` finds the file). */
export async function helm(args: string[]): Promise<HelmResult> {
  try {
    const { stdout, stderr } = await run(inject("helm"), args, {
      cwd: chartDir,
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const failed = err as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? 1, stdout: failed.stdout ?? "", stderr: failed.stderr ?? "" };
  }
}

/** `helm template` of the chart with these arguments; throws with helm's message on failure. */
export async function render(args: string[] = []): Promise<K8sObject[]> {
  const result = await helm(["template", release, ".", "--namespace", namespace, ...args]);
  if (result.code !== 0) throw new Error(`helm template ${args.join(" ")}:\n${result.stderr}`);
  return parseAllDocuments(result.stdout)
    .map((doc) => doc.toJS() as K8sObject | null)
    .filter((o): o is K8sObject => o !== null);
}

/** The architecture's apps, as the chart installs them by default (settlement is Go). */
export const apps = [
  "bff",
  "bidding",
  "catalog",
  "edge",
  "identity",
  "notifier",
  "push",
  "settlement",
];

/** Ways the chart is installed: each is rendered, validated and checked the same way. */
export const variations: Array<{ name: string; args: string[] }> = [
  { name: "default values", args: [] },
  { name: "kind", args: ["-f", "values-kind.yaml"] },
  { name: "the local cluster (k8s/local)", args: ["-f", "values-local.yaml"] },
  {
    name: "minikube",
    args: ["-f", "values-minikube.yaml", "--set", "publicUrl=http://192.0.2.10"],
  },
  {
    name: "no Jaeger (an external collector)",
    args: [
      "--set",
      "jaeger.enabled=false",
      "--set",
      "telemetry.endpoint=http://otel-collector.observability:4318",
    ],
  },
  {
    name: "more replicas",
    args: [
      "--set",
      "nats.replicas=5",
      "--set",
      "storageReplicas=5",
      ...apps.flatMap((app) => [
        "--set",
        `apps.${app}.replicas=4`,
        "--set",
        `apps.${app}.autoscaling.enabled=false`,
      ]),
    ],
  },
  { name: "an existing Secret", args: ["--set", "secrets.existingSecret=gavel-secrets"] },
];

export function named<T extends K8sObject>(objects: K8sObject[], kind: string, name: string): T {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name} among the rendered objects`);
  return found as T;
}

/** The full name of a component's objects in the test release. */
export const nameOf = (component: string) => `${release}-gavel-${component}`;

export interface PodTemplate {
  /** "Deployment/demo-gavel-edge" */
  owner: string;
  kind: string;
  labels: Record<string, string>;
  spec: IPodSpec;
  /** Set for hooks (including `helm test` pods). */
  hook: string | undefined;
}

/** Every pod the release can run: workloads' templates, hook jobs and test pods. */
export function podTemplates(objects: K8sObject[]): PodTemplate[] {
  const templates: PodTemplate[] = [];
  for (const o of objects) {
    const hook = o.metadata.annotations?.["helm.sh/hook"];
    const owner = `${o.kind}/${o.metadata.name}`;
    if (["Deployment", "StatefulSet", "Job"].includes(o.kind)) {
      const template = (
        o.spec as { template: { metadata: { labels: Record<string, string> }; spec: IPodSpec } }
      ).template;
      templates.push({
        owner,
        kind: o.kind,
        labels: template.metadata.labels,
        spec: template.spec,
        hook,
      });
    } else if (o.kind === "Pod") {
      templates.push({
        owner,
        kind: o.kind,
        labels: o.metadata.labels ?? {},
        spec: o.spec as IPodSpec,
        hook,
      });
    }
  }
  return templates;
}
