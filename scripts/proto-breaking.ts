// `npm run proto:breaking`: checks proto/ for breaking changes against the right baseline.
// On a branch other than main, the baseline is main (what the branch will merge into); on
// main (or a CI merge commit) it is the previous commit. With no baseline, or a baseline
// that had no proto/ yet, there is nothing to break and it exits 0.
// Plain Node 24 (type stripping), no dependencies, so it runs before anything is built.
import { execFileSync, spawnSync } from "node:child_process";
import { join } from "node:path";

const root = join(import.meta.dirname, "..");

/** Runs git in the repo root; undefined when git fails (unknown ref, no commits, ...). */
function git(...args: string[]): string | undefined {
  try {
    return execFileSync("git", args, {
      cwd: root,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    }).trim();
  } catch {
    return undefined;
  }
}

const branch = git("rev-parse", "--abbrev-ref", "HEAD"); // "HEAD" when detached
const hasMain = git("rev-parse", "--verify", "--quiet", "refs/heads/main^{commit}") !== undefined;
const hasParent = git("rev-parse", "--verify", "--quiet", "HEAD~1^{commit}") !== undefined;

let gitRef: string;
let against: string;
if (branch !== undefined && branch !== "main" && hasMain) {
  gitRef = "main";
  against = ".git#branch=main";
} else if (hasParent) {
  gitRef = "HEAD~1";
  against = ".git#ref=HEAD~1";
} else {
  console.log("proto:breaking: no main branch or parent commit to compare against; skipping");
  process.exit(0);
}

// `git cat-file -e REF:proto` fails when proto/ did not exist at that ref.
if (git("cat-file", "-e", `${gitRef}:proto`) === undefined) {
  console.log(`proto:breaking: proto/ did not exist at ${gitRef}; nothing can break yet`);
  process.exit(0);
}

console.log(`proto:breaking: buf breaking --against ${against}`);
const result = spawnSync("npx", ["buf", "breaking", "--against", against], {
  cwd: root,
  stdio: "inherit",
});
if (result.error) throw result.error;
process.exit(result.status ?? 1);
