/** Percentile of an unsorted sample (nearest rank); 0 for an empty one. */
export function percentile(sample: number[], p: number): number {
  if (sample.length === 0) return 0;
  const sorted = [...sample].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export function median(sample: number[]): number {
  return percentile(sample, 50);
}

/** Prints rows as an aligned plain-text table (also valid Markdown), to stdout by default. */
export function printTable(
  rows: Array<Record<string, string | number>>,
  print: (line: string) => void = (line) => void process.stdout.write(`${line}\n`),
): void {
  const first = rows[0];
  if (!first) return;
  const columns = Object.keys(first);
  const text = (v: string | number | undefined) =>
    typeof v === "number" ? v.toLocaleString("en-US", { maximumFractionDigits: 2 }) : (v ?? "");
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => text(r[c]).length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
  print(line(columns));
  print(line(widths.map((w) => "-".repeat(w))));
  for (const row of rows) print(line(columns.map((c) => text(row[c]))));
}
