/**
 * A soak of the whole stack: does any service's memory keep growing under steady, mixed
 * traffic? Every app runs as its own process on a real NATS (startWholeStack: identity,
 * catalog, bidding, settlement in Go, notifier, edge, BFF, push), exporting telemetry as
 * in the chart (10% of traces, and metrics) to otlp-sink.ts, for GAVEL_SOAK_MINUTES
 * (default 10) of:
 *   - sellers keeping 30 short lots open through the REST edge (each ends 20-60 s after it
 *     is listed, snipe window 1-3 s), so lots keep closing with winners, notifications and
 *     invoices; 8 bidders' workers bidding on them, each pausing 250 ms between bids (about
 *     one bid a second per lot: more would keep extending lots inside their snipe window);
 *   - GraphQL reads from the BFF, two at a time, one a second each;
 *   - 200 WebSocket clients (their user's channel and 3 open lots each) and 100 SSE streams
 *     (half a lot, half their user's notifications), moving to new lots as lots close, and
 *     5% of them dropped and reconnected (resuming) every 15 s.
 * Every 15 s it samples each process's resident memory (VmRSS) and each Node service's live
 * heap after a full collection, forced over its V8 inspector (the services start with
 * --inspect on loopback for this), and prints a progress line. The collection every 15 s
 * costs each service some milliseconds; the soak measures memory, not latency.
 *
 *   npm run bench:soak                        # 10 minutes
 *   GAVEL_SOAK_MINUTES=2 npm run bench:soak    # a quick try
 *   GAVEL_LOT_CACHE_SIZE=100 npm run bench:soak   # bidding's, catalog's and the
 *                                             # notifier's lot-state caches fill in minutes
 *
 * Ctrl-C ends the soak after the window in progress, prints the table for what ran and
 * stops every process. The terminal's signal also reaches nats-server (it shares the
 * bench's process group), so that last window ends with errors in the services' logs.
 *
 * How to read the table: the first minute (half of a shorter run) is warm-up (code
 * compiled and optimised, caches, connection pools and V8's heap growing to their working
 * size), so judge what comes after it; a run of a minute or two only shows that it works.
 * Flat memory is a slope near 0 MiB/min after the warm-up, with growth that does not track
 * the run's length; a leak shows as a steady positive slope that stays when the soak runs
 * longer. Compare slopes, not absolute sizes: V8 (and Go's runtime) keep heap pages they
 * grew into, so RSS sits at a plateau above what is live and moves in steps as the heap is
 * resized (or drops when it is given back). The live-heap table has no such plateau: it is
 * what is still reachable after a full collection, so a leak shows there first and
 * plainly. "bench" is this process, the load generator, and should be flat too.
 */
import { fileURLToPath } from "node:url";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync } from "node:fs";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { EdgeClient, EdgeHttp, printTable } from "@gavel/load";
import { INVOICES_STREAM } from "@gavel/nats";
import { freePort, startWholeStack } from "@gavel/testing";
import {
  childPidsRunning,
  MemoryLog,
  readLiveHeap,
  readRss,
  type WatchedProcess,
} from "./memory.ts";
import { PushFleet } from "./push-clients.ts";
import { ServiceLogProblems } from "./service-logs.ts";
import { SoakTally } from "./tally.ts";
import {
  bidWindow,
  closedLotCount,
  GraphqlReads,
  LotBoard,
  repeat,
  signUpUsers,
} from "./traffic.ts";
import { startBenchNats } from "../shared/bench-nats.ts";
import { go, linuxProc, natsServer, requirePrerequisites } from "../shared/prerequisites.ts";

const MINUTES = Number(process.env.GAVEL_SOAK_MINUTES ?? 10);
// Push and GraphQL use tokens minted with the test keys, good for an hour.
if (!(MINUTES > 0 && MINUTES <= 55)) throw new Error("GAVEL_SOAK_MINUTES must be in (0, 55]");
const SAMPLE_SECONDS = 15;
/** The first minute, or the first half of a shorter run. */
const WARMUP_MINUTES = Math.min(1, MINUTES / 2);
const LOAD = {
  sellers: 6,
  lotsPerSeller: 5,
  bidders: 24,
  bidWorkers: 8,
  bidPauseMs: 250,
  graphqlReaders: 2,
  graphqlPauseMs: 1_000,
  websockets: 200,
  lotsPerSocket: 3,
  sseStreams: 100,
  /** The share of push clients dropped and reconnected every sample. */
  churn: 0.05,
};
const say = (line: string) => process.stderr.write(`${line}\n`);
let stopEarly = false;
process.once("SIGINT", () => {
  stopEarly = true;
  say("stopping after this window (a second Ctrl-C aborts and may leave services running)");
});

requirePrerequisites("bench:soak", [linuxProc, go, natsServer()]);
const sinkPort = await freePort();
const sink = spawn(
  process.execPath,
  [fileURLToPath(new URL("../shared/otlp-sink.ts", import.meta.url)), String(sinkPort)],
  {
    stdio: ["ignore", "pipe", "inherit"],
  },
);
process.once("exit", () => sink.kill());
await once(sink.stdout!, "data");
const nats = await startBenchNats();
const natsPids = childPidsRunning("nats-server");
say(`starting the whole stack on ${nats.url}...`);
const stack = await startWholeStack(nats.url, {
  env: {
    LOG_LEVEL: "warn",
    // One client host and a few dozen users: lift the edge's limits so they never refuse.
    GAVEL_RATE_LIMIT_PER_IP: "1000000",
    GAVEL_RATE_LIMIT_PER_USER: "1000000",
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${sinkPort}`,
    OTEL_TRACES_SAMPLER: "parentbased_traceidratio",
    OTEL_TRACES_SAMPLER_ARG: "0.1",
    // Passed on when set, to watch the lot-state caches fill and stop (see the header).
    ...(process.env.GAVEL_LOT_CACHE_SIZE
      ? { GAVEL_LOT_CACHE_SIZE: process.env.GAVEL_LOT_CACHE_SIZE }
      : {}),
  },
  inspect: true,
}).catch(async (err: unknown) => {
  await nats.stop();
  throw err;
});
const { apps } = stack;
const nc = await connect({ servers: nats.url });
const http = new EdgeHttp(apps.edge.rpcUrl, 16);
const watched: WatchedProcess[] = [
  ...Object.values(apps).map((p) => ({
    name: p.app === "settlement" ? "settlement (Go)" : p.app,
    pid: p.pid,
    inspectUrl: p.inspectUrl,
  })),
  ...natsPids.map((pid) => ({ name: "nats-server", pid })),
  { name: "bench (load generator)", pid: process.pid },
];
const memory = new MemoryLog(watched, readRss);
const liveHeap = new MemoryLog(
  watched.filter((w) => w.inspectUrl),
  readLiveHeap,
);
const logProblems = new ServiceLogProblems();

try {
  const edge = new EdgeClient(http);
  const sellers = await signUpUsers(edge, "seller", LOAD.sellers);
  const bidders = await signUpUsers(edge, "bidder", LOAD.bidders);
  const board = new LotBoard(
    sellers.map((s) => s.client),
    LOAD.lotsPerSeller,
  );
  await board.refresh();
  const jsm = await jetstreamManager(nc);
  const users = [...sellers, ...bidders];
  const fleet = new PushFleet({
    pushUrl: apps.push.rpcUrl,
    users,
    websockets: LOAD.websockets,
    sseStreams: LOAD.sseStreams,
    lotsPerSocket: LOAD.lotsPerSocket,
    openLots: () => board.ids,
  });
  const reads = new GraphqlReads(apps.bff.rpcUrl, users, board);
  const tally = new SoakTally({ board, fleet, reads, ...LOAD });
  let lastTrafficError: string | undefined;
  const noteError = (err: unknown) =>
    (lastTrafficError = err instanceof Error ? err.message : String(err));

  await memory.sample(0);
  await liveHeap.sample(0);
  logProblems.collect(Object.values(apps));
  say(`${users.length} users, ${board.ids.length} open lots; traffic for ${MINUTES} min...`);
  const started = performance.now();
  const minutes = () => (performance.now() - started) / 60_000;
  await fleet.start();
  const loops = [
    repeat(2_000, () => board.refresh(), noteError),
    ...Array.from({ length: LOAD.graphqlReaders }, () =>
      repeat(LOAD.graphqlPauseMs, () => reads.readOnce(), noteError),
    ),
  ];
  while (!stopEarly && minutes() < MINUTES - 1e-3) {
    const window = {
      workers: LOAD.bidWorkers,
      seconds: Math.min(SAMPLE_SECONDS, (MINUTES - minutes()) * 60),
      pauseMs: LOAD.bidPauseMs,
    };
    const bidding = bidders.map((b) => b.client);
    tally.addWindow(await bidWindow(board, bidding, window), LOAD.bidPauseMs);
    tally.closed = await closedLotCount(http).catch(() => tally.closed);
    tally.invoices = await jsm.streams.info(INVOICES_STREAM).then(
      (info) => info.state.messages,
      () => tally.invoices,
    );
    const rss = await memory.sample(minutes());
    const heap = await liveHeap.sample(minutes());
    logProblems.collect(Object.values(apps));
    say(tally.line(clock(minutes()), rss, heap));
    fleet.churn(LOAD.churn);
  }
  const ranMinutes = minutes();
  fleet.stop();
  await Promise.all(loops.map((l) => l.stop()));
  reads.close();

  console.log(
    `\nSoak: ${ranMinutes.toFixed(1)} min of traffic on the whole stack, memory sampled every ` +
      `${SAMPLE_SECONDS} s; warm-up = the first ${WARMUP_MINUTES} min, growth and slope after it\n`,
  );
  printTable(memory.summary(WARMUP_MINUTES, ranMinutes));
  console.log("\nLive heap after a forced full collection, Node services\n");
  printTable(liveHeap.summary(WARMUP_MINUTES, ranMinutes));
  console.log("\nTraffic, totals\n");
  printTable([tally.totals()]);
  const problems = [...tally.problems(), ...logProblems.lines()];
  if (lastTrafficError) problems.push(`last seller or GraphQL error: ${lastTrafficError}`);
  if (problems.length) say(`\n${problems.join("\n")}`);
} finally {
  http.close();
  await nc.close();
  await stack.stop();
  await nats.stop();
  sink.kill();
  const left = watched.filter((w) => w.pid !== process.pid && existsSync(`/proc/${w.pid}`));
  say(
    left.length
      ? `still running: ${left.map((w) => `${w.name} (${w.pid})`).join(", ")}`
      : `stopped all ${watched.length - 1} processes`,
  );
}

/** Minutes as m:ss. */
function clock(minutes: number): string {
  const seconds = Math.round(minutes * 60);
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
}
