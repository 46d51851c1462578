import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { TestProject } from "vitest/node";

import "./provided-context.ts";

/** Ensures the pinned helm once per run (fetched into the tools cache the first time). */
export default function setup(project: TestProject): void {
  const script = fileURLToPath(new URL("../../scripts/tools/helm.sh", import.meta.url));
  const helm = execFileSync(script, { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  project.provide("helm", helm.trim());
}
