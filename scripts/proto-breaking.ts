// `npm run proto:breaking`: checks proto/ for breaking changes against the baseline that
// scripts/git-baseline.ts picks (main from a branch, the previous commit on main).
// Plain Node 24 (type stripping), no dependencies, so it runs before anything is built.
import { spawnSync } from "node:child_process";
import { findBaseline, repoRoot } from "./git-baseline.ts";

const baseline = findBaseline("proto/");
if ("skip" in baseline) {
  console.log(`proto:breaking: ${baseline.skip}`);
  process.exit(0);
}

const against =
  baseline.kind === "branch" ? `.git#branch=${baseline.ref}` : `.git#ref=${baseline.ref}`;
console.log(`proto:breaking: buf breaking --against ${against}`);
const result = spawnSync("npx", ["buf", "breaking", "--against", against], {
  cwd: repoRoot,
  stdio: "inherit",
});
if (result.error) throw result.error;
process.exit(result.status ?? 1);
