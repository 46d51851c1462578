import { rmSync } from "node:fs";
import { RESULTS_DIR } from "./report.ts";

/** A run's report holds that run's rounds only. */
export default function setup(): void {
  rmSync(RESULTS_DIR, { recursive: true, force: true });
}
