import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { TestProject } from "vitest/node";

import "./provided-context.ts";

const script = (path: string) => fileURLToPath(new URL(`../../../${path}`, import.meta.url));
const run = (path: string) =>
  execFileSync(script(path), { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }).trim();

/**
 * The tools (already built by k8s/local/test.sh: this only reads their cached paths) and
 * a cluster that answers; without one, one line that says how to start it.
 */
export default function setup(project: TestProject): void {
  const kubectl = `${run("k8s/local/build.sh")}/bin/kubectl`;
  try {
    execFileSync(kubectl, ["get", "--raw", "/readyz"], { stdio: "ignore", timeout: 10_000 });
  } catch {
    throw new Error(
      "no local cluster answers: run npm run test:cluster (or start one with k8s/local/up.sh)",
    );
  }
  project.provide("kubectl", kubectl);
  project.provide("helm", run("scripts/tools/helm.sh"));
}
