import { mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { RoundResult } from "./round.ts";

/** Where each test file leaves its rounds' results (ignored by git). */
export const RESULTS_DIR = fileURLToPath(new URL("../.results/", import.meta.url));

/** Saves a file's results under its name; names sort in the order the table shows them. */
export function saveResults(name: string, results: RoundResult[]): void {
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(join(RESULTS_DIR, `${name}.json`), JSON.stringify(results, null, 2));
}

export function loadResults(): RoundResult[] {
  let files: string[];
  try {
    files = readdirSync(RESULTS_DIR).filter((f) => f.endsWith(".json"));
  } catch {
    return [];
  }
  return files
    .sort()
    .flatMap((f) => JSON.parse(readFileSync(join(RESULTS_DIR, f), "utf8")) as RoundResult[]);
}

/** The rounds as the Markdown table of docs/reliability.md. */
export function renderTable(results: RoundResult[]): string {
  const header = [
    "fault",
    "load at the time",
    "bids: acknowledged / stored / refused / unknown, duplicated, lost",
    "events to followers (followers wrong)",
    "notifications: stored / expected, duplicated, lost",
    "invoices: stored / expected, duplicated, lost",
    "what clients were told meanwhile",
    "result",
  ];
  const rows = results.map((r) => {
    const c = r.verdict.counts;
    const failed =
      r.verdict.violations.length +
      r.wrong.length +
      r.health.down.length +
      Object.keys(r.health.crashes).length;
    return [
      r.fault,
      r.load,
      `${n(c.acked)} / ${n(c.stored)} / ${n(c.refused)} / ${n(c.unknown)}, ${c.duplicated}, ${c.lost}`,
      `${n(c.delivered)} (${c.followersWrong})`,
      `${n(c.notifications.stored)} / ${n(c.notifications.expected)}, ${c.notifications.duplicated}, ${c.notifications.lost}`,
      `${c.invoices.stored} / ${c.invoices.expected}, ${c.invoices.duplicated}, ${c.invoices.lost}`,
      r.retryable || "nothing to retry",
      failed === 0
        ? `held; ${n(c.reads)} reads right, 0 wrong answers, 0 crashes (${r.seconds} s)`
        : `**${failed} failures**: ${[...r.verdict.violations, ...r.wrong].slice(0, 3).join("; ")}`,
    ];
  });
  return [header, header.map(() => "---"), ...rows]
    .map((cells) => `| ${cells.map((c) => c.replaceAll("|", "\\|")).join(" | ")} |`)
    .join("\n");
}

const n = (value: number) => value.toLocaleString("en-US");
