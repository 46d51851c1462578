// `npm run check:docs`: every relative link and anchor in the repository's Markdown
// (git's files, and new ones not yet added) leads somewhere; prints those that do not
// and exits 1. External links are not checked. Plain Node 24 (type stripping).
import { execFileSync } from "node:child_process";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { linkChecker, type RepoFiles } from "./broken-links.ts";

const root = join(import.meta.dirname, "../..");

const files = execFileSync(
  "git",
  ["ls-files", "--cached", "--others", "--exclude-standard", "-z", "--", "*.md"],
  { cwd: root, encoding: "utf8" },
)
  .split("\0")
  .filter((file) => file !== "")
  .sort();

const repo: RepoFiles = {
  kind(path) {
    try {
      const stat = statSync(join(root, path));
      return stat.isDirectory() ? "directory" : "file";
    } catch {
      return undefined;
    }
  },
  read: (path) => readFileSync(join(root, path), "utf8"),
};

const check = linkChecker(repo);
// A tracked file deleted in the work tree is no page to check.
const broken = files.filter((file) => repo.kind(file) === "file").flatMap(check);
for (const { file, line, target, reason } of broken) {
  console.error(`${file}:${line}: ${target}: ${reason}`);
}
if (broken.length > 0) {
  console.error(`${broken.length} broken links in the Markdown files`);
  process.exit(1);
}
console.log(`the links of ${files.length} Markdown files lead somewhere`);
