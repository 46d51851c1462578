// Where a Markdown file's text is code or a comment, not prose: link and heading
// syntax there is literal, so it is blanked before either is looked for.

/**
 * The Markdown with fenced code blocks, HTML comments and (unless kept) inline code
 * spans replaced by spaces. Newlines stay, so offsets and line numbers still hold.
 */
export function maskCode(markdown: string, options: { keepInlineCode?: boolean } = {}): string {
  const masked = maskComments(maskFences(markdown));
  return options.keepInlineCode ? masked : maskInlineCode(masked);
}

const blank = (text: string) => text.replace(/[^\n]/g, " ");

/**
 * Blanks every ``` or ~~~ fence, from its opening line to its closing one (or the end),
 * however far it is indented (a fence in a list item is).
 */
function maskFences(markdown: string): string {
  let fence: { char: string; length: number } | undefined;
  return markdown
    .split("\n")
    .map((line) => {
      if (fence) {
        const close = /^[ \t]*(`+|~+)[ \t]*$/.exec(line);
        if (close && close[1]![0] === fence.char && close[1]!.length >= fence.length) {
          fence = undefined;
        }
        return blank(line);
      }
      const open = /^[ \t]*(`{3,}(?=[^`]*$)|~{3,})/.exec(line);
      if (!open) return line;
      fence = { char: open[1]![0]!, length: open[1]!.length };
      return blank(line);
    })
    .join("\n");
}

function maskComments(markdown: string): string {
  return markdown.replace(/<!--[\s\S]*?(?:-->|$)/g, blank);
}

/**
 * Blanks every code span: a run of backticks up to the next run of the same length,
 * within one paragraph. A run with no partner is literal text.
 */
function maskInlineCode(markdown: string): string {
  let out = "";
  let i = 0;
  while (i < markdown.length) {
    const start = markdown.indexOf("`", i);
    if (start === -1) break;
    let end = start;
    while (markdown[end] === "`") end++;
    const run = end - start;
    const close = closingRun(markdown, end, run);
    out += markdown.slice(i, start);
    if (close === -1) {
      out += markdown.slice(start, end);
      i = end;
    } else {
      out += blank(markdown.slice(start, close + run));
      i = close + run;
    }
  }
  return out + markdown.slice(i);
}

/** Where the next run of exactly `run` backticks starts before a blank line; -1 if none. */
function closingRun(markdown: string, from: number, run: number): number {
  const paragraphEnd = markdown.slice(from).search(/\n[ \t]*\n/);
  const limit = paragraphEnd === -1 ? markdown.length : from + paragraphEnd;
  let i = from;
  while (i < limit) {
    const start = markdown.indexOf("`", i);
    if (start === -1 || start >= limit) return -1;
    let end = start;
    while (markdown[end] === "`") end++;
    if (end - start === run) return start;
    i = end;
  }
  return -1;
}
