import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * What the scenario measures of the release (time to Ready, requests, real memory),
 * kept in .gavel/cluster/measures.json: k8s/local/test.sh prints it as a table at the
 * end, the figures docs/benchmarks.md and the chart's README quote.
 */
const file = fileURLToPath(new URL("../../../.gavel/cluster/measures.json", import.meta.url));

export type Measures = Record<string, string | number>;

export function recordMeasures(measures: Measures): void {
  mkdirSync(dirname(file), { recursive: true });
  let all: Measures = {};
  try {
    all = JSON.parse(readFileSync(file, "utf8")) as Measures;
  } catch {
    // the first measure of this run
  }
  writeFileSync(file, `${JSON.stringify({ ...all, ...measures }, null, 2)}\n`);
}

/** Kubernetes quantities as bytes or millicores: 128Mi, 1Gi, 50m, 1. */
export function quantity(value: string): number {
  const m = /^(\d+(?:\.\d+)?)(m|Ki|Mi|Gi|k|M|G)?$/.exec(value);
  if (!m) throw new Error(`not a quantity: ${value}`);
  const scale: Record<string, number> = {
    m: 1 / 1000,
    Ki: 1024,
    Mi: 1024 ** 2,
    Gi: 1024 ** 3,
    k: 1e3,
    M: 1e6,
    G: 1e9,
  };
  return Number(m[1]) * (m[2] ? scale[m[2]]! : 1);
}
