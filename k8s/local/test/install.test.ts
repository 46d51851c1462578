import { readFileSync, readdirSync } from "node:fs";
import { expect, test } from "vitest";
import {
  chartDir,
  clusterRun,
  helm,
  isReady,
  kubectl,
  namespace,
  release,
  releasePods,
} from "./cluster.ts";
import { quantity, recordMeasures } from "./measures.ts";

/** A pod's memory as the kernel counts it (cgroup v1: RSS, not page cache), in bytes. */
function podRss(uid: string): number {
  for (const qos of ["burstable", "besteffort", ""]) {
    const dir = ["/sys/fs/cgroup/memory/kubepods", qos, `pod${uid}`].filter(Boolean).join("/");
    try {
      const stat = readFileSync(`${dir}/memory.stat`, "utf8");
      return Number(/^total_rss (\d+)$/m.exec(stat)![1]);
    } catch {
      // not in this QoS class
    }
  }
  return Number.NaN;
}

/** The cluster's own processes (up.sh's pid files), their RSS summed, in bytes. */
function clusterRss(): number {
  let sum = 0;
  for (const file of readdirSync(clusterRun).filter((f) => f.endsWith(".pid"))) {
    const pid = readFileSync(`${clusterRun}/${file}`, "utf8").trim();
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    sum += Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)![1]) * 1024;
  }
  return sum;
}

test("helm install --wait brings every pod of the release to Ready, none restarted", async () => {
  const started = Date.now();
  const result = await helm([
    "install",
    release,
    chartDir,
    "--namespace",
    namespace,
    "--create-namespace",
    "--values",
    `${chartDir}/values-local.yaml`,
    // The fault rounds' lots last seconds, and all their clients share this host's address.
    ...["--set-string", "apps.catalog.env.GAVEL_MIN_LOT_SECONDS=1"],
    ...["--set-string", "apps.edge.env.GAVEL_RATE_LIMIT_PER_IP=1000000"],
    ...["--set-string", "apps.edge.env.GAVEL_RATE_LIMIT_PER_USER=1000000"],
    "--wait",
    "--timeout",
    "8m",
  ]);
  const seconds = (Date.now() - started) / 1000;
  if (result.code !== 0) {
    const pods = await kubectl(["-n", namespace, "get", "pods,pvc,events", "-o", "wide"]);
    throw new Error(`helm install failed:\n${result.stderr}\n${pods.stdout}`);
  }

  // values-local.yaml: one replica of each app but two of bidding and push; 3 NATS; Jaeger.
  const pods = await releasePods();
  expect(pods.map((p) => p.metadata.labels["app.kubernetes.io/component"]).sort()).toEqual(
    [
      "bff",
      "bidding",
      "bidding",
      "catalog",
      "edge",
      "identity",
      "jaeger",
      "nats",
      "nats",
      "nats",
      "notifier",
      "push",
      "push",
      "settlement",
    ].sort(),
  );
  for (const pod of pods) {
    expect(isReady(pod), `${pod.metadata.name} Ready`).toBe(true);
    for (const c of pod.status.containerStatuses ?? [])
      expect(c.restartCount, `${pod.metadata.name} restarts`).toBe(0);
  }

  let cpu = 0;
  let memory = 0;
  for (const pod of pods)
    for (const c of pod.spec.containers) {
      cpu += quantity(c.resources?.requests?.cpu ?? "0");
      memory += quantity(c.resources?.requests?.memory ?? "0");
    }
  const rss = new Map(pods.map((p) => [p, podRss(p.metadata.uid)]));
  const total = [...rss.values()].reduce((sum, bytes) => sum + bytes, 0);
  const largest = new Map<string, number>();
  for (const [pod, bytes] of rss) {
    const component = pod.metadata.labels["app.kubernetes.io/component"]!;
    largest.set(component, Math.max(largest.get(component) ?? 0, bytes));
  }
  const mib = (bytes: number) => Math.round(bytes / 1024 ** 2);
  recordMeasures({
    "pods of the release": pods.length,
    "helm install --wait, to every pod Ready (s)": Math.round(seconds),
    "CPU requested (cores)": Number(cpu.toFixed(2)),
    "memory requested (MiB)": mib(memory),
    "memory used after install, RSS (MiB)": mib(total),
    "the cluster's own processes, RSS (MiB)": mib(clusterRss()),
    "RSS per pod after install (MiB)": [...largest]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([component, bytes]) => `${component} ${mib(bytes)}`)
      .join(", "),
  });
  expect(Number.isNaN(total), "every pod's cgroup found").toBe(false);
}, 600_000);
