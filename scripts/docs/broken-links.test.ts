import { describe, expect, it } from "vitest";
import { linkChecker, type RepoFiles } from "./broken-links.ts";

/** A repository of these files (and the directories that hold them). */
function repoOf(files: Record<string, string>): RepoFiles {
  const directories = new Set(
    Object.keys(files).flatMap((path) =>
      path
        .split("/")
        .slice(0, -1)
        .map((_, i, parts) => parts.slice(0, i + 1).join("/")),
    ),
  );
  return {
    kind: (path) =>
      path in files ? "file" : directories.has(path) || path === "." ? "directory" : undefined,
    read: (path) => {
      const text = files[path];
      if (text === undefined) throw new Error(`no ${path}`);
      return text;
    },
  };
}

const repo = repoOf({
  "README.md": "# Gavel\n\n## Quick start\n\nSee [tests](#tests).\n",
  "docs/architecture.md": "# Map\n\n## Deployment (`helm/gavel`)\n",
  "helm/gavel/README.md": "# Chart\n\n## Network policies\n",
  "apps/push/src/feeds/subscription.ts": "export {};\n",
  "docs/guide.md": [
    "[map](architecture.md#deployment-helmgavel) and [map's top](architecture.md)",
    "[up](../README.md#quick-start), [root](/README.md#gavel), [self](#guide)",
    "[code](../apps/push/src/feeds/subscription.ts#L20), [chart](../helm/gavel#network-policies)",
    "[external](https://example.com/nowhere#x), [mail](mailto:a@b.test)",
    "# Guide",
    "[gone](architecture.md#deployment), [missing](nothing.md), [out](../../x.md)",
    "[no heading](#nope), [bad](%E0%A4%A.md), [dir anchor](../helm#x)",
  ].join("\n"),
});

describe("linkChecker", () => {
  const check = linkChecker(repo);

  it("passes links to files that exist and anchors their headings have", () => {
    expect(check("docs/architecture.md")).toEqual([]);
  });

  it("names each link that leads nowhere, and why", () => {
    expect(check("README.md")).toEqual([
      {
        file: "README.md",
        line: 5,
        target: "#tests",
        reason: "no heading in README.md has the anchor #tests",
      },
    ]);
    expect(check("docs/guide.md").map((b) => [b.line, b.target, b.reason])).toEqual([
      [
        6,
        "architecture.md#deployment",
        "no heading in docs/architecture.md has the anchor #deployment",
      ],
      [6, "nothing.md", "no such file: docs/nothing.md"],
      [6, "../../x.md", "outside the repository"],
      [7, "#nope", "no heading in docs/guide.md has the anchor #nope"],
      [7, "%E0%A4%A.md", "not a valid URL (bad percent-encoding)"],
    ]);
  });

  it("reports a reference with no definition", () => {
    const withReference = repoOf({ "a.md": "See [the chart][chart].\n" });
    expect(linkChecker(withReference)("a.md")).toEqual([
      { file: "a.md", line: 1, target: "[chart]", reason: "no definition of this reference" },
    ]);
  });
});
