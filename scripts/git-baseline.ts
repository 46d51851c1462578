// Which commit a contract check (proto:breaking, graphql:breaking) compares against.
// On a branch other than main, the baseline is main (what the branch will merge into); on
// main (or a CI merge commit, where there is no local main) it is the previous commit.
// With no baseline, or a baseline that did not have the checked path yet, there is nothing
// to break: the check says so and exits 0.
import { execFileSync } from "node:child_process";
import { join } from "node:path";

export const repoRoot = join(import.meta.dirname, "..");

/** What to compare against: `main` as a branch, or the commit before HEAD. */
export type Baseline = { kind: "branch"; ref: "main" } | { kind: "parent"; ref: "HEAD~1" };

/** Runs git in the repo root; undefined when git fails (unknown ref, no commits, ...). */
function git(...args: string[]): string | undefined {
  try {
    return execFileSync("git", args, {
      cwd: repoRoot,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    }).trim();
  } catch {
    return undefined;
  }
}

/**
 * The baseline for `path` (a file, or a folder ending in "/"), or why there is none, as a
 * sentence for the check to print before it exits 0.
 */
export function findBaseline(path: string): Baseline | { skip: string } {
  const branch = git("rev-parse", "--abbrev-ref", "HEAD"); // "HEAD" when detached
  const hasMain = git("rev-parse", "--verify", "--quiet", "refs/heads/main^{commit}") !== undefined;
  const hasParent = git("rev-parse", "--verify", "--quiet", "HEAD~1^{commit}") !== undefined;

  let baseline: Baseline;
  if (branch !== undefined && branch !== "main" && hasMain) {
    baseline = { kind: "branch", ref: "main" };
  } else if (hasParent) {
    baseline = { kind: "parent", ref: "HEAD~1" };
  } else {
    return { skip: "no main branch or parent commit to compare against; skipping" };
  }
  // `git cat-file -e REF:PATH` fails when PATH did not exist at that ref.
  if (git("cat-file", "-e", `${baseline.ref}:${path}`) === undefined) {
    return { skip: `${path} did not exist at ${baseline.ref}; nothing can break yet` };
  }
  return baseline;
}

/** A file's text at a ref (`git show REF:PATH`); undefined when it is not there. */
export function readAt(ref: string, path: string): string | undefined {
  return git("show", `${ref}:${path}`);
}
