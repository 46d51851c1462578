import { describe, expect, it } from "vitest";
import { markdownLinks } from "./markdown-links.ts";

const targets = (markdown: string) => markdownLinks(markdown).links.map((l) => l.target);

describe("markdownLinks", () => {
  it("finds inline links and images, with their lines", () => {
    const markdown = [
      "See [the map](docs/architecture.md#services) and",
      '![a trace](docs/images/trace.png "the waterfall"), [home](<my file.md>)',
      "and [a link with `code` in it](../README.md) [out](https://example.com/a_(b))",
    ].join("\n");
    expect(markdownLinks(markdown).links).toEqual([
      { line: 1, target: "docs/architecture.md#services" },
      { line: 2, target: "docs/images/trace.png" },
      { line: 2, target: "my file.md" },
      { line: 3, target: "../README.md" },
      { line: 3, target: "https://example.com/a_(b)" },
    ]);
  });

  it("ignores links inside code fences, code spans and comments", () => {
    const markdown = [
      "```md",
      "[fenced](fenced.md)",
      "```",
      "~~~~",
      "[tilde](tilde.md)",
      "```",
      "~~~~",
      "`[span](span.md)` and ``[double `tick`](double.md)``",
      "<!-- [comment](comment.md) -->",
      "a lone ` backtick, then [real](real.md)",
    ].join("\n");
    expect(targets(markdown)).toEqual(["real.md"]);
  });

  it("takes reference definitions' destinations and reports undefined references", () => {
    const markdown = [
      "The [chart][helm], the [Chart Docs][] and [nowhere][missing].",
      "A [shortcut] alone is text, and so is [^1], a footnote.",
      "",
      "[helm]: helm/gavel/README.md#network-policies",
      "[chart docs]: <docs/charts.md> 'title'",
      "[^1]: a footnote, not a link",
      "`[code][missing-too]`",
    ].join("\n");
    const found = markdownLinks(markdown);
    expect(found.links).toEqual([
      { line: 4, target: "helm/gavel/README.md#network-policies" },
      { line: 5, target: "docs/charts.md" },
    ]);
    expect(found.undefinedReferences).toEqual([{ line: 1, label: "missing" }]);
  });

  it("finds HTML links and images", () => {
    expect(targets('<a href="docs/x.md#y">x</a> <img alt="" src="docs/images/y.png">')).toEqual([
      "docs/x.md#y",
      "docs/images/y.png",
    ]);
  });
});
