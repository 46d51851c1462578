/**
 * PlaceBid under load against two real bidding replicas and a real NATS: latency, accepted
 * bids/s and CPU per bid, on one hot lot and spread over 100 lots; medians of --runs.
 * Why: docs/benchmarks.md#placebid
 *
 *   npm run bench -- [--seconds 10] [--concurrency 32] [--runs 3]
 */
import { randomUUID } from "node:crypto";
import { parseCommandLine } from "@gavel/config/command-line";
import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import { BidRejectionSchema, BiddingService } from "@gavel/proto/bidding/v1/bidding";
import { CatalogService, LotDraftSchema } from "@gavel/proto/catalog/v1/catalog";
import { IdentityService } from "@gavel/proto/identity/v1/identity";
import {
  authHeader,
  connectClient,
  mintToken,
  serviceEnv,
  startService,
  type AppName,
  type ServiceProcess,
} from "@gavel/testing";
import { startConnectEcho } from "./connect-echo.ts";
import { childNamed, cpuPerRequest, cpuSecondsByGroup } from "../shared/cpu-time.ts";
import {
  closedLoop,
  median,
  percentile,
  printTable,
  type LoopOptions,
  type LoopResult,
} from "@gavel/load";
import { startBenchNats } from "../shared/bench-nats.ts";
import { linuxProc, natsServer, requirePrerequisites } from "../shared/prerequisites.ts";

const { values: args } = parseCommandLine("npm run bench --", {
  options: {
    seconds: { type: "string", default: "10" },
    concurrency: { type: "string", default: "32" },
    runs: { type: "string", default: "3" },
  },
});
const SECONDS = Number(args.seconds);
const CONCURRENCY = Number(args.concurrency);
const RUNS = Number(args.runs);

requirePrerequisites("bench", [linuxProc, natsServer()]);
const nats = await startBenchNats();
const processes: ServiceProcess[] = [];
process.once("exit", () => processes.forEach((p) => p.stop("SIGKILL")));
const env = { ...serviceEnv(nats.url), LOG_LEVEL: "warn" };
const catalog = await startTracked("catalog");
const replicas = [await startTracked("bidding"), await startTracked("bidding")];
const natsPid = childNamed("nats-server");
/** CPU seconds used so far by each kind of process (nats only when it is the binary). */
const cpuNow = () =>
  cpuSecondsByGroup({
    bidding: replicas.map((r) => r.pid),
    catalog: [catalog.pid],
    nats: natsPid ? [natsPid] : [],
  });
/** CPU ms per request of each kind of process, over one measured run. */
const cpuMsPerRequest = new Map<LoopResult, ReturnType<typeof cpuNow>>();
const catalogClient = connectClient(CatalogService, catalog.rpcUrl);
const biddingClients = replicas.map((r) => connectClient(BiddingService, r.rpcUrl));
/** More identities than workers: a worker bids as a different user each time, so it is
 * never refused only for already being the highest bidder. */
const BIDDER_POOL = Math.max(64, CONCURRENCY * 2);
const bidders = await Promise.all(
  Array.from({ length: BIDDER_POOL }, async () => {
    const userId = randomUUID();
    return { userId, options: authHeader(await mintToken(userId)) };
  }),
);

async function startTracked(app: AppName): Promise<ServiceProcess> {
  try {
    const started = await startService(app, env);
    processes.push(started);
    return started;
  } catch (err) {
    await Promise.all(processes.map((p) => p.stop()));
    await nats.stop();
    throw err;
  }
}

async function newLots(count: number): Promise<string[]> {
  const seller = authHeader(await mintToken(randomUUID()));
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const lot = create(LotDraftSchema, {
      title: `Bench lot ${i}`,
      startingPrice: { currencyCode: "EUR", amountMinor: 1_00n },
      endsAt: timestampFromMs(Date.now() + 3600_000),
      snipeWindowSeconds: 1,
    });
    ids.push((await catalogClient.createLot({ lot }, seller)).lot!.id);
  }
  return ids;
}

/** CONCURRENCY workers calling `step` in the load generator's closed loop. */
const loop = (seconds: number, step: LoopOptions["step"], label?: string): Promise<LoopResult> =>
  closedLoop({
    workers: CONCURRENCY,
    seconds,
    step,
    label,
    onProgress: (line) => process.stderr.write(`${line}\n`),
  });

/** Bids on a random lot of the set as a rotating bidder, alternating replicas. */
function bidOn(lots: string[], seconds = SECONDS, label?: string): Promise<LoopResult> {
  const minimums = new Map(lots.map((id) => [id, 1_00n]));
  return loop(
    seconds,
    async (worker, i) => {
      const bidder = bidders[(worker * 7 + i) % bidders.length]!;
      const lotId = lots[Math.floor(Math.random() * lots.length)]!;
      // Bid a little over the last known minimum, so most bids are real raises.
      const amount = minimums.get(lotId)! + BigInt(Math.floor(Math.random() * 4)) * 1_00n;
      const client = biddingClients[(worker + i) % biddingClients.length]!;
      try {
        const { state } = await client.placeBid(
          { lotId, bidId: randomUUID(), amount: { currencyCode: "EUR", amountMinor: amount } },
          bidder.options,
        );
        const next = state?.minimumNextBid?.amountMinor ?? amount;
        if (next > minimums.get(lotId)!) minimums.set(lotId, next);
        return { outcome: "accepted" };
      } catch (err) {
        const error = ConnectError.from(err);
        // FAILED_PRECONDITION (too low, lot moved on) is normal on a contended lot.
        if (error.code !== Code.FailedPrecondition) throw err;
        const minimum = error.findDetails(BidRejectionSchema)[0]?.minimumNextBid?.amountMinor;
        if (minimum !== undefined && minimum > minimums.get(lotId)!) minimums.set(lotId, minimum);
        return { outcome: "refused", problem: error.rawMessage };
      }
    },
    label,
  );
}

function row(scenario: string, biddingReplicas: number, runs: LoopResult[]) {
  return {
    scenario,
    "bidding replicas": biddingReplicas,
    concurrency: CONCURRENCY,
    "requests/s": median(runs.map((r) => r.requests / SECONDS)),
    "accepted bids/s": biddingReplicas ? median(runs.map((r) => r.accepted / SECONDS)) : "-",
    "p50 ms": median(runs.map((r) => percentile(r.latenciesMs, 50))),
    "p99 ms": median(runs.map((r) => percentile(r.latenciesMs, 99))),
    failed: runs.reduce((n, r) => n + r.failed, 0),
    ...(biddingReplicas
      ? {
          "bidding CPU ms/req": median(runs.map((r) => cpuMsPerRequest.get(r)!.bidding)),
          "catalog CPU ms/req": median(runs.map((r) => cpuMsPerRequest.get(r)!.catalog)),
          "nats CPU ms/req": median(runs.map((r) => cpuMsPerRequest.get(r)!.nats)),
        }
      : { "bidding CPU ms/req": "-", "catalog CPU ms/req": "-", "nats CPU ms/req": "-" }),
  };
}

const scenarios: Array<{ name: string; lots: number }> = [
  { name: "one hot lot", lots: 1 },
  { name: "100 lots", lots: 100 },
];
const rows: Array<Record<string, string | number>> = [];
const echo = await startConnectEcho();
try {
  const echoClient = connectClient(IdentityService, echo.url);
  const baseline: LoopResult[] = [];
  for (let r = 1; r <= RUNS; r++) {
    const call = () =>
      echoClient.getUser({ id: "x" }).then(() => ({ outcome: "accepted" as const }));
    baseline.push(await loop(SECONDS, call, `baseline, run ${r}/${RUNS}`));
  }
  rows.push(row("bare Connect unary (baseline)", 0, baseline));
  for (const scenario of scenarios) {
    const runs: LoopResult[] = [];
    for (let r = 1; r <= RUNS; r++) {
      const lots = await newLots(scenario.lots);
      await bidOn(lots.slice(0, 1), 2); // warm caches and connections
      const before = cpuNow();
      const result = await bidOn(lots, SECONDS, `${scenario.name}, run ${r}/${RUNS}`);
      cpuMsPerRequest.set(result, cpuPerRequest(before, cpuNow(), result.requests, 1e3));
      runs.push(result);
      process.stderr.write(
        `${scenario.name}, run ${r}/${RUNS}: ${result.requests} requests, ${result.accepted} accepted, ${result.refused} refused, ${result.failed} failed\n`,
      );
    }
    rows.push(row(scenario.name, replicas.length, runs));
  }
  console.log(`\nPlaceBid, ${SECONDS} s per run, median of ${RUNS} runs (NATS: ${nats.kind})\n`);
  printTable(rows);
} finally {
  echo.close();
  await Promise.all(processes.map((p) => p.stop()));
  await nats.stop();
}
