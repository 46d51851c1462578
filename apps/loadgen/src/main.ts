/**
 * Demo traffic for a running stack: a simulated seller keeps a few lots open and simulated
 * bidders bid on them through the REST edge, so the web page is alive; with
 * GAVEL_LOADGEN_WORKERS=N, a closed-loop benchmark of the bid path (closed-loop-run.ts).
 * Why: docs/architecture.md#the-web-page-appsweb-and-demo-traffic-appsloadgen
 */
import { runClosedLoop } from "./closed-loop-run.ts";
import { readConfig } from "./config.ts";
import { EdgeClient, EdgeHttp, Progress } from "@gavel/load";
import { Traffic } from "./traffic.ts";

const config = readConfig();
const http = new EdgeHttp(config.GAVEL_LOADGEN_EDGE_URL, Math.max(8, config.GAVEL_LOADGEN_WORKERS));
const edge = new EdgeClient(http);
const password = config.GAVEL_LOADGEN_PASSWORD;
const say = (line: string): void => void process.stdout.write(`${line}\n`);
const seller = await edge.as("loadgen-seller@gavel.test", "Loadgen seller", password);
const bidders = await Promise.all(
  Array.from({ length: config.GAVEL_LOADGEN_BIDDERS }, (_, i) =>
    edge.as(`loadgen-bidder-${i + 1}@gavel.test`, `Bidder ${i + 1}`, password),
  ),
);
const progress = new Progress();
const traffic = new Traffic(config, seller, bidders, progress);
await traffic.keepLotsOpen();

if (config.GAVEL_LOADGEN_WORKERS > 0) {
  await runClosedLoop(config, traffic, say);
  http.close();
} else {
  runDemo();
}

function runDemo(): void {
  say(
    `[loadgen] ${bidders.length} bidders, ${config.GAVEL_LOADGEN_LOTS} lots, ` +
      `${config.GAVEL_LOADGEN_BIDS_PER_MINUTE} bids/min against ${config.GAVEL_LOADGEN_EDGE_URL}`,
  );
  const timers = [
    every(5_000, () => traffic.keepLotsOpen()),
    every(config.GAVEL_LOADGEN_PROGRESS_SECONDS * 1000, async () => say(progress.line())),
  ];
  if (config.GAVEL_LOADGEN_BIDS_PER_MINUTE > 0) {
    timers.push(every(60_000 / config.GAVEL_LOADGEN_BIDS_PER_MINUTE, () => traffic.bidOnce()));
  }
  const stop = (): void => {
    timers.forEach(clearInterval);
    say(progress.line());
    http.close();
    process.exit(0);
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  if (config.GAVEL_LOADGEN_DURATION_SECONDS > 0) {
    setTimeout(stop, config.GAVEL_LOADGEN_DURATION_SECONDS * 1000);
  }
}

/** Runs `step` every `ms` (never two at once); a failed step is reported, not fatal. */
function every(ms: number, step: () => Promise<void>): NodeJS.Timeout {
  let busy = false;
  return setInterval(() => {
    if (busy) return;
    busy = true;
    step()
      .catch((err: unknown) => say(`[loadgen] ${err instanceof Error ? err.message : err}`))
      .finally(() => {
        busy = false;
      });
  }, ms);
}
