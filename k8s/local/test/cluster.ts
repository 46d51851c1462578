import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { inject } from "vitest";

import "./provided-context.ts";

const run = promisify(execFile);

/** The release the scenario installs, and where. */
export const release = "gavel";
export const namespace = "gavel";
export const chartDir = fileURLToPath(new URL("../../../helm/gavel", import.meta.url));

/** The cluster's places, as cluster.env (sourced by the scripts) names them. */
const clusterEnv = readFileSync(new URL("../cluster.env", import.meta.url), "utf8");
const place = (name: string) => new RegExp(`^${name}=(\\S+)`, "m").exec(clusterEnv)![1]!;
/** Pid files, sockets and rendered configs. */
export const clusterRun = place("CLUSTER_RUN");
/** The admin kubeconfig up.sh writes. */
export const kubeconfig =
  process.env.KUBECONFIG ?? `${place("CLUSTER_STATE")}/kubeconfig/admin.conf`;

export interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

async function exec(bin: string, args: string[], timeoutMs: number): Promise<Ran> {
  try {
    const { stdout, stderr } = await run(bin, args, {
      env: { ...process.env, KUBECONFIG: kubeconfig },
      maxBuffer: 64 * 1024 * 1024,
      timeout: timeoutMs,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const failed = err as { code?: number | string; stdout?: string; stderr?: string };
    const code = typeof failed.code === "number" ? failed.code : 1;
    return { code, stdout: failed.stdout ?? "", stderr: failed.stderr ?? String(err) };
  }
}

/** kubectl against the local cluster; never throws (look at `code`). */
export const kubectl = (args: string[], timeoutMs = 60_000) =>
  exec(inject("kubectl"), args, timeoutMs);

/** helm against the local cluster, in the chart's folder; never throws. */
export const helm = (args: string[], timeoutMs = 600_000) => exec(inject("helm"), args, timeoutMs);

/** kubectl's JSON answer; throws with kubectl's message when it fails. */
export async function kubectlJson<T>(args: string[]): Promise<T> {
  const result = await kubectl([...args, "-o", "json"]);
  if (result.code !== 0) throw new Error(`kubectl ${args.join(" ")}: ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

/** The chart's name for a component's objects (release "gavel": no prefix doubling). */
export const objectName = (component: string) => `${release}-${component}`;

interface Service {
  spec: { clusterIP: string; ports: Array<{ name: string; port: number }> };
}

/**
 * `http://<cluster IP>:<port>` of a component's Service: this host reaches ClusterIPs
 * through kube-proxy, as a pod would.
 */
export function serviceUrl(component: string, portName = "http"): Promise<string> {
  return clusterIpUrl(namespace, objectName(component), portName);
}

/**
 * The cluster's Ingress controller (Traefik, k8s/local/config/traefik.yaml) at its
 * Service's cluster IP: the release's one origin, as a browser would reach it.
 */
export function ingressUrl(): Promise<string> {
  return clusterIpUrl("traefik", "traefik", "web");
}

async function clusterIpUrl(ns: string, name: string, portName: string): Promise<string> {
  const service = await kubectlJson<Service>(["-n", ns, "get", "service", name]);
  const port = service.spec.ports.find((p) => p.name === portName);
  if (!port) throw new Error(`service ${ns}/${name} has no port ${portName}`);
  return `http://${service.spec.clusterIP}:${port.port}`;
}

export interface Pod {
  metadata: { name: string; uid: string; labels: Record<string, string> };
  spec: { containers: Array<{ resources?: { requests?: { cpu?: string; memory?: string } } }> };
  status: {
    phase: string;
    podIP?: string;
    conditions?: Array<{ type: string; status: string }>;
    containerStatuses?: Array<{ name: string; ready: boolean; restartCount: number }>;
  };
}

/** The release's pods (hook and test pods excluded), or those of one component. */
export async function releasePods(component?: string): Promise<Pod[]> {
  const list = await kubectlJson<{ items: Pod[] }>([
    "-n",
    namespace,
    "get",
    "pods",
    "-l",
    `app.kubernetes.io/instance=${release}` +
      (component ? `,app.kubernetes.io/component=${component}` : ""),
  ]);
  return list.items.filter(
    (p) => !["smoke-test", "jwt-keys"].includes(p.metadata.labels["app.kubernetes.io/component"]!),
  );
}

/** Whether the pod's Ready condition holds. */
export const isReady = (pod: Pod) =>
  pod.status.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;

/** A secret's value, decoded. */
export async function secretValue(secret: string, key: string): Promise<string> {
  const found = await kubectlJson<{ data: Record<string, string> }>([
    "-n",
    namespace,
    "get",
    "secret",
    secret,
  ]);
  const value = found.data[key];
  if (value === undefined) throw new Error(`secret ${secret} has no key ${key}`);
  return Buffer.from(value, "base64").toString("utf8");
}

/** A new user signed up through the edge: a token issued by the release's identity. */
export async function signUp(name: string): Promise<{ id: string; token: string }> {
  const edge = await serviceUrl("edge");
  const res = await fetch(`${edge}/v1/auth/sign-up`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      email: `${name}-${randomUUID().slice(0, 8)}@cluster.gavel.test`,
      password: `pw-${randomUUID()}`,
      display_name: name,
    }),
  });
  const text = await res.text();
  if (res.status !== 201) throw new Error(`sign-up answered ${res.status}: ${text}`);
  const body = JSON.parse(text) as { access_token: string; user: { id: string } };
  return { id: body.user.id, token: body.access_token };
}

/** A connection to the release's NATS as an app's chart user, with the generated password. */
export async function connectAsApp(app: string): Promise<NatsConnection> {
  return connect({
    servers: (await serviceUrl("nats", "client")).replace("http:", "nats:"),
    user: app,
    pass: await secretValue(objectName("credentials"), `nats-password-${app}`),
    // The servers advertise their pod addresses; this client stays on the Service.
    ignoreClusterUpdates: true,
  });
}
