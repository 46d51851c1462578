/**
 * Prints the table of the rounds the fault suite just ran; with GAVEL_FAULTS_WRITE_DOCS=1,
 * also puts it into docs/reliability.md between its markers, so the figures there are
 * always a run's own. Run by `npm run test:faults` after the suite.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { format, resolveConfig } from "prettier";
import { loadResults, renderTable } from "./report.ts";

const BEGIN = "<!-- fault-table:begin (written by npm run test:faults) -->";
const END = "<!-- fault-table:end -->";

const results = loadResults();
if (results.length === 0) {
  process.stderr.write("no fault results to report (did the suite run?)\n");
  process.exit(1);
}
const table = renderTable(results);
process.stdout.write(`\n${table}\n\n`);

if (process.env.GAVEL_FAULTS_WRITE_DOCS === "1") {
  const doc = fileURLToPath(new URL("../../docs/reliability.md", import.meta.url));
  const text = readFileSync(doc, "utf8");
  const from = text.indexOf(BEGIN);
  const to = text.indexOf(END);
  if (from < 0 || to < from) throw new Error(`docs/reliability.md has no ${BEGIN} ... ${END}`);
  const stamp = `Run of ${new Date().toISOString().slice(0, 10)}, Node ${process.version}.`;
  const updated = `${text.slice(0, from + BEGIN.length)}\n\n${stamp}\n\n${table}\n\n${text.slice(to)}`;
  // As `npm run format` writes it, so format:check stays green.
  writeFileSync(doc, await format(updated, { ...(await resolveConfig(doc)), filepath: doc }));
  process.stdout.write("written to docs/reliability.md\n");
}
