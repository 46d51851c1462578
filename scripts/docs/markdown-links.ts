// The links a Markdown file makes, found in its prose only (code is literal).
import { maskCode } from "./markdown-code.ts";

export interface MarkdownLink {
  /** 1-based line of the link's destination. */
  line: number;
  /** The destination as written: `../README.md#tests`, `#anchor`, `https://...`. */
  target: string;
}

export interface MarkdownLinks {
  links: MarkdownLink[];
  /** `[text][label]` uses whose label no `[label]: destination` defines. */
  undefinedReferences: Array<{ line: number; label: string }>;
}

/** `](destination "title")`: the tail of an inline link or image. */
const inlineTail =
  /\]\(\s*(<[^<>\n]*>|(?:[^\s()]|\([^\s()]*\))*)(?:\s+(?:"[^"]*"|'[^']*'|\([^()]*\)))?\s*\)/g;
/** `[label]: destination`, a reference definition (not a `[^1]:` footnote). */
const definition = /^ {0,3}\[([^\]^][^\]]*)\]:[ \t]*(<[^<>\n]*>|\S+)/gm;
/** `[text][label]` or `[label][]`. */
const fullReference = /\[((?:[^[\]\n]|\[[^[\]\n]*\])*)\]\[([^[\]\n]*)\]/g;
/** `href="..."` or `src="..."` in an HTML `<a>` or `<img>`. */
const htmlLink = /<(?:a|img)\s[^>]*?\b(?:href|src)="([^"]*)"/gi;

/**
 * Every link destination in the Markdown: inline links and images, reference
 * definitions, HTML `<a href>` and `<img src>`; none inside code fences, code spans or
 * comments. Also the full references that have no definition, which render as text.
 */
export function markdownLinks(markdown: string): MarkdownLinks {
  const prose = maskCode(markdown);
  const lineAt = lineNumbers(prose);
  const links: MarkdownLink[] = [];
  const add = (offset: number, target: string) =>
    links.push({ line: lineAt(offset), target: target.replace(/^<(.*)>$/, "$1") });

  for (const m of prose.matchAll(inlineTail)) add(m.index, m[1]!);
  for (const m of prose.matchAll(htmlLink)) add(m.index, m[1]!);
  const labels = new Set<string>();
  for (const m of prose.matchAll(definition)) {
    labels.add(normalizeLabel(m[1]!));
    add(m.index, m[2]!);
  }
  const undefinedReferences = [...prose.matchAll(fullReference)]
    .map((m) => ({ line: lineAt(m.index), label: m[2] === "" ? m[1]! : m[2]! }))
    .filter(({ label }) => !labels.has(normalizeLabel(label)));
  links.sort((a, b) => a.line - b.line);
  return { links, undefinedReferences };
}

/** Labels match case-insensitively, with runs of white space as one space. */
const normalizeLabel = (label: string) => label.trim().replace(/\s+/g, " ").toLowerCase();

function lineNumbers(text: string): (offset: number) => number {
  const starts = [0];
  for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
  return (offset) => {
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (starts[mid]! <= offset) low = mid;
      else high = mid - 1;
    }
    return low + 1;
  };
}
