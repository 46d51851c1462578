/**
 * A soak of the whole stack: does any service's memory keep growing under steady, mixed
 * traffic? Every 15 s, each process's RSS and each Node service's live heap after a full
 * collection. Why, and how to read it: docs/reliability.md#soak-ten-minutes-of-mixed-traffic
 *
 *   npm run bench:soak          # 10 minutes; GAVEL_SOAK_MINUTES=2 for a quick try
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
