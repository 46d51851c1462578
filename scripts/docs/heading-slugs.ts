// The anchors GitHub gives a Markdown file's headings, as github-slugger makes them.
import { maskCode } from "./markdown-code.ts";

/**
 * GitHub's slug of a heading's text: lowercase, every character but letters, marks,
 * digits, `_`, `-` and spaces dropped, each space a `-` (spaces are not collapsed).
 */
export function githubSlug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "")
    .replace(/ /g, "-");
}

/** The text a heading renders to: markup gone, code spans' content kept. */
export function headingText(source: string): string {
  const parts = source.split(/(`+)([^`]|[^`].*?[^`])\1(?!`)/);
  let text = "";
  // split() with two groups yields [prose, fence, code, prose, fence, code, ..., prose].
  for (let i = 0; i < parts.length; i += 3) {
    text += proseText(parts[i]!);
    if (i + 2 < parts.length) text += parts[i + 2]!.trim();
  }
  return text.trim();
}

function proseText(prose: string): string {
  return prose
    .replace(/!\[[^\]]*\]\([^)]*\)/g, "") // images render no text
    .replace(/\[([^\]]*)\](?:\([^)]*\)|\[[^\]]*\])/g, "$1") // links keep their text
    .replace(/<[^>]+>/g, "") // inline HTML
    .replace(/&nbsp;/g, " ")
    .replace(/&#?\w+;/g, "")
    .replace(/(^|[^\p{L}\p{N}\\])(\*{1,3}|_{1,3})(?=\S)(.*?\S)\2(?![\p{L}\p{N}])/gu, "$1$3")
    .replace(/\\([!-/:-@[-`{-~])/g, "$1"); // backslash escapes
}

/**
 * Every anchor a Markdown file offers: its headings' slugs (a repeated slug gets -1,
 * -2, ... as on GitHub) and the names and ids of its HTML anchors.
 */
export function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const counts = new Map<string, number>();
  for (const heading of headings(markdown)) {
    const base = githubSlug(headingText(heading));
    let slug = base;
    while (anchors.has(slug)) {
      const n = (counts.get(base) ?? 0) + 1;
      counts.set(base, n);
      slug = `${base}-${n}`;
    }
    anchors.add(slug);
  }
  for (const m of maskCode(markdown).matchAll(/<a\s[^>]*?\b(?:name|id)="([^"]+)"/gi)) {
    anchors.add(m[1]!);
  }
  return anchors;
}

/** The source text of every ATX (`## Title`) and setext (underlined) heading, in order. */
export function headings(markdown: string): string[] {
  const lines = maskCode(markdown, { keepInlineCode: true }).split("\n");
  const found: string[] = [];
  lines.forEach((line, i) => {
    const atx = /^ {0,3}#{1,6}(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/.exec(line);
    if (atx) {
      found.push(atx[1] ?? "");
      return;
    }
    const previous = lines[i - 1];
    if (
      /^ {0,3}(?:=+|-+)[ \t]*$/.test(line) &&
      previous !== undefined &&
      /^ {0,3}[^\s#>|*+-]/.test(previous) &&
      !/^ {0,3}\d+[.)]\s/.test(previous)
    ) {
      found.push(previous.trim());
    }
  });
  return found;
}
