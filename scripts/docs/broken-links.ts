// Which of a Markdown file's links lead nowhere: a relative path to no file, or an
// anchor that no heading of its Markdown target has. External links are not followed.
import { posix } from "node:path";
import { anchorsOf } from "./heading-slugs.ts";
import { markdownLinks } from "./markdown-links.ts";

/** The repository's files, by path from its root ("docs/architecture.md"). */
export interface RepoFiles {
  kind(path: string): "file" | "directory" | undefined;
  read(path: string): string;
}

export interface BrokenLink {
  file: string;
  line: number;
  target: string;
  reason: string;
}

/** A scheme (`https:`, `mailto:`) or a protocol-relative `//host`: not a repository path. */
const external = /^(?:[a-z][a-z0-9+.-]*:|\/\/)/i;

/** Checks the links of each file; a target's anchors are read once. */
export function linkChecker(repo: RepoFiles): (file: string) => BrokenLink[] {
  const anchors = new Map<string, Set<string>>();
  const anchorsIn = (path: string) => {
    let found = anchors.get(path);
    if (!found) anchors.set(path, (found = anchorsOf(repo.read(path))));
    return found;
  };

  return (file) => {
    const { links, undefinedReferences } = markdownLinks(repo.read(file));
    const broken: BrokenLink[] = undefinedReferences.map(({ line, label }) => ({
      file,
      line,
      target: `[${label}]`,
      reason: "no definition of this reference",
    }));
    for (const { line, target } of links) {
      if (external.test(target)) continue;
      const reason = problemOf(file, target, repo, anchorsIn);
      if (reason) broken.push({ file, line, target, reason });
    }
    return broken.sort((a, b) => a.line - b.line);
  };
}

function problemOf(
  file: string,
  target: string,
  repo: RepoFiles,
  anchorsIn: (path: string) => Set<string>,
): string | undefined {
  const hash = target.indexOf("#");
  const rawPath = (hash === -1 ? target : target.slice(0, hash)).replace(/\?.*$/, "");
  const rawAnchor = hash === -1 ? "" : target.slice(hash + 1);
  let path: string;
  let anchor: string;
  try {
    path = decodeURIComponent(rawPath);
    anchor = decodeURIComponent(rawAnchor);
  } catch {
    return "not a valid URL (bad percent-encoding)";
  }
  let resolved = file;
  if (path !== "") {
    resolved = posix.normalize(
      path.startsWith("/") ? path.slice(1) : posix.join(posix.dirname(file), path),
    );
    if (resolved === ".." || resolved.startsWith("../")) return "outside the repository";
    resolved = resolved.replace(/\/$/, "") || ".";
  }
  const kind = repo.kind(resolved);
  if (!kind) return `no such file: ${resolved}`;
  if (anchor === "") return undefined;
  const markdown =
    kind === "directory" ? readmeOf(resolved, repo) : /\.md$/i.test(resolved) ? resolved : "";
  // Anchors are checked in Markdown only (GitHub's line anchors in code are not headings).
  if (!markdown) return undefined;
  if (anchorsIn(markdown).has(anchor)) return undefined;
  return `no heading in ${markdown} has the anchor #${anchor}`;
}

/** The README GitHub shows for a directory, if it has one. */
function readmeOf(directory: string, repo: RepoFiles): string {
  const readme = directory === "." ? "README.md" : `${directory}/README.md`;
  return repo.kind(readme) === "file" ? readme : "";
}
