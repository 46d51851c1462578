import { expect, test } from "vitest";
import { helm, kubectl, namespace, objectName, release } from "./cluster.ts";

/** Every namespaced kind the API server lists, as `kubectl api-resources` names them. */
async function namespacedKinds(): Promise<string[]> {
  const result = await kubectl(["api-resources", "--namespaced", "--verbs=list", "-o", "name"]);
  expect(result.code, result.stderr).toBe(0);
  // Events outlive what they are about by design; they are the cluster's, not the release's.
  return result.stdout
    .split("\n")
    .filter((kind) => kind && !/^events(\.events\.k8s\.io)?$/.test(kind));
}

/**
 * What Helm does not own, as the chart's README ("Secrets") says: the signing key pair
 * its hook made (a reinstall keeps users' tokens valid) and the last `helm test` pod,
 * kept for its log. The NATS volumes go, as values-local.yaml asks
 * (nats.jetstream.volumesOnUninstall: Delete).
 */
const kept = [`pod/${objectName("smoke-test")}`, `secret/${objectName("jwt")}`];

test("helm uninstall leaves nothing of the release but what Helm does not own", async () => {
  const result = await helm([
    "uninstall",
    release,
    "--namespace",
    namespace,
    "--wait",
    "--timeout",
    "3m",
  ]);
  expect(result.code, result.stderr).toBe(0);
  const kinds = await namespacedKinds();
  await expect
    .poll(
      async () => {
        const found = await kubectl(["-n", namespace, "get", kinds.join(","), "-o", "name"]);
        // The namespace's own: its default ServiceAccount and the cluster's root CA.
        return found.stdout
          .split("\n")
          .filter((o) => o && !["serviceaccount/default", "configmap/kube-root-ca.crt"].includes(o))
          .sort()
          .join(", ");
      },
      { timeout: 60_000, interval: 1_000 },
    )
    .toBe(kept.join(", "));
  const volumes = await kubectl([
    "get",
    "persistentvolumes",
    "-o",
    'jsonpath={range .items[*]}{.status.phase}{" "}{.spec.claimRef.namespace}{"\\n"}{end}',
  ]);
  expect(
    volumes.stdout.split("\n").filter((l) => l.includes(` ${namespace}`) && l.startsWith("Bound")),
  ).toEqual([]);
}, 240_000);
