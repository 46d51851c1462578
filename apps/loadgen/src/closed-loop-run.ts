import { closedLoop, percentile, printTable } from "@gavel/load";
import type { Config } from "./config.ts";
import type { Traffic } from "./traffic.ts";

/**
 * The loadgen as a benchmark of a running stack: GAVEL_LOADGEN_WORKERS workers bid on the
 * demo's lots as fast as the edge answers for GAVEL_LOADGEN_DURATION_SECONDS, with a
 * progress line every GAVEL_LOADGEN_PROGRESS_SECONDS, then one table. The edge's rate
 * limits count too: raise GAVEL_RATE_LIMIT_PER_IP and _PER_USER on it, or see 429s.
 */
export async function runClosedLoop(
  config: Config,
  traffic: Traffic,
  say: (line: string) => void,
): Promise<void> {
  const seconds = config.GAVEL_LOADGEN_DURATION_SECONDS;
  say(
    `[loadgen] closed loop: ${config.GAVEL_LOADGEN_WORKERS} workers, ${traffic.market.lots.length} lots, ` +
      `${config.GAVEL_LOADGEN_BIDDERS} bidders, ${seconds} s against ${config.GAVEL_LOADGEN_EDGE_URL}`,
  );
  const topUp = setInterval(() => void traffic.keepLotsOpen().catch(() => {}), 5_000);
  const result = await closedLoop({
    workers: config.GAVEL_LOADGEN_WORKERS,
    seconds,
    step: () => traffic.market.bidOnce(),
    onProgress: say,
    progressSeconds: config.GAVEL_LOADGEN_PROGRESS_SECONDS,
  }).finally(() => clearInterval(topUp));
  say("");
  printTable(
    [
      {
        workers: config.GAVEL_LOADGEN_WORKERS,
        "requests/s": result.requests / seconds,
        "accepted bids/s": result.accepted / seconds,
        refused: result.refused,
        failed: result.failed,
        "p50 ms": percentile(result.latenciesMs, 50),
        "p99 ms": percentile(result.latenciesMs, 99),
        "max ms": percentile(result.latenciesMs, 100),
      },
    ],
    say,
  );
  say(
    `[loadgen] done: ${result.requests} requests, accepted ${result.accepted}, ` +
      `refused ${result.refused}, failed ${result.failed}` +
      (result.lastProblem ? ` (last: ${result.lastProblem})` : ""),
  );
}
