import type { IContainer } from "kubernetes-models/v1";
import { describe, expect, test } from "vitest";
import { podTemplates, render, variations, type PodTemplate } from "./chart.ts";

function containersOf(pod: PodTemplate): IContainer[] {
  return [...(pod.spec.initContainers ?? []), ...pod.spec.containers];
}

/** What a pod breaks of the restricted Pod Security Standard and the chart's own rules. */
function violations(pod: PodTemplate): string[] {
  const found: string[] = [];
  const podContext = pod.spec.securityContext ?? {};
  const say = (what: string) => found.push(`${pod.owner}: ${what}`);
  if (pod.spec.automountServiceAccountToken !== false) say("mounts a service account token");
  if (pod.spec.hostNetwork || pod.spec.hostPID || pod.spec.hostIPC) say("shares a host namespace");
  for (const c of containersOf(pod)) {
    const context = c.securityContext ?? {};
    const where = (what: string) => say(`container ${c.name} ${what}`);
    if (!(context.runAsNonRoot ?? podContext.runAsNonRoot)) where("may run as root");
    if ((context.runAsUser ?? podContext.runAsUser) === 0) where("runs as user 0");
    if ((context.runAsUser ?? podContext.runAsUser) === undefined) {
      where("has no numeric user (runAsNonRoot cannot check a named one)");
    }
    if (context.readOnlyRootFilesystem !== true) where("can write its root file system");
    if (context.allowPrivilegeEscalation !== false) where("may escalate privileges");
    if (context.privileged) where("is privileged");
    if (!context.capabilities?.drop?.includes("ALL")) where("keeps capabilities");
    if (context.capabilities?.add?.length) where("adds capabilities");
    const seccomp = context.seccompProfile?.type ?? podContext.seccompProfile?.type;
    if (seccomp !== "RuntimeDefault") where(`has seccomp profile ${seccomp}`);
    for (const kind of ["requests", "limits"] as const) {
      for (const resource of ["cpu", "memory"]) {
        if (c.resources?.[kind]?.[resource] === undefined) where(`has no ${resource} ${kind}`);
      }
    }
    if (!pod.hook) {
      if (!c.startupProbe) where("has no startup probe");
      if (!c.livenessProbe) where("has no liveness probe");
      if (!c.readinessProbe) where("has no readiness probe");
    }
  }
  return found;
}

describe("every pod runs restricted, with limits, and long-running ones with probes", () => {
  test.each(variations)("with $name", async ({ args }) => {
    const pods = podTemplates(await render(args));
    expect(pods.length).toBeGreaterThanOrEqual(9);
    expect(pods.flatMap(violations)).toEqual([]);
  });

  test("the key hook alone gets API access, as a projected short-lived token", async () => {
    const pods = podTemplates(await render());
    const withToken = pods.filter((p) =>
      p.spec.volumes?.some((v) => v.projected?.sources?.some((s) => s.serviceAccountToken)),
    );
    expect(withToken.map((p) => p.owner)).toEqual(["Job/demo-gavel-jwt-keys"]);
    expect(withToken[0]!.hook).toBe("pre-install,pre-upgrade");
  });

  test("a pod is given time to drain: preStop sleep plus its grace period, with room to spare", async () => {
    const pods = podTemplates(await render()).filter((p) => p.kind === "Deployment");
    for (const pod of pods) {
      const container = pod.spec.containers[0]!;
      const graceMs = container.env?.find((e) => e.name === "SHUTDOWN_GRACE_MS")?.value;
      const sleep = container.lifecycle?.preStop?.sleep?.seconds ?? 0;
      const budget = pod.spec.terminationGracePeriodSeconds ?? 30;
      if (graceMs === undefined) continue; // Jaeger
      expect(budget, pod.owner).toBeGreaterThanOrEqual(sleep + Number(graceMs) / 1000 + 5);
      expect(sleep, pod.owner).toBeGreaterThan(0);
    }
  });
});
