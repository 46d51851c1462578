/**
 * What the push gateway's live feeds cost NATS, idle and busy, against one feed per replica
 * on every lot's subject: docs/benchmarks.md#what-the-push-gateways-live-feeds-cost-nats
 *
 *   npm run bench:feeds -- [--feeds 1000,5000,10000,20000] [--connections 4]
 *                          [--feeds-per-lot 2] [--rate 1000] [--seconds 15]   # --feeds: totals
 */
import { performance } from "node:perf_hooks";
import { parseCommandLine } from "@gavel/config/command-line";
import { toBinary } from "@bufbuild/protobuf";
import { DeliverPolicy, jetstream, type ConsumerMessages } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { LotStream } from "@gavel/lot-events";
import {
  CONSUME_EXPIRES_MS,
  LOT_EVENTS_STREAM,
  LOT_SUBJECT_WILDCARD,
  lotSubject,
} from "@gavel/nats";
import { LotEventSchema } from "@gavel/proto/lot/v1/lot_events";
import { rssBytes, startNatsServer, syntheticBid } from "@gavel/testing";
import { percentile, printTable } from "@gavel/load";
import { childNamed, totalCpuSeconds } from "../shared/cpu-time.ts";
import { linuxProc, natsServer, requirePrerequisites } from "../shared/prerequisites.ts";

const { values: args, fail } = parseCommandLine("npm run bench:feeds --", {
  options: {
    feeds: { type: "string", default: "1000,5000,10000,20000" },
    connections: { type: "string", default: "4" },
    "feeds-per-lot": { type: "string", default: "2" },
    rate: { type: "string", default: "1000" },
    seconds: { type: "string", default: "15" },
  },
});
const STEPS = args.feeds.split(",").map(Number);
const CONNECTIONS = Number(args.connections);
const PER_LOT = Number(args["feeds-per-lot"]);
const RATE = Number(args.rate);
const WINDOW_MS = Number(args.seconds) * 1000;
if (STEPS.some((n) => !(n > 0) || n % PER_LOT !== 0))
  fail(`--feeds: positive multiples of --feeds-per-lot (${PER_LOT})`);

const log = (line: string) => process.stderr.write(`${line}\n`);

requirePrerequisites("bench:feeds", [linuxProc, natsServer(true)]);

// The binary, so that its process is this one's child and /proc can measure it.
const nats = await startNatsServer({ ...process.env, GAVEL_TEST_NATS: "binary" });
const natsPid = childNamed("nats-server");
if (!natsPid) throw new Error("nats-server is not a child of this process");
const natsCpuSeconds = () => totalCpuSeconds([natsPid]);
const replicas: NatsConnection[] = [];
const feeds: ConsumerMessages[] = [];
/** Arrival minus append, in ms, of the events delivered in the current window. */
let latencies: number[] = [];
let delivered = 0;
let published = 0;

try {
  const admin = await connect({ servers: nats.url });
  await new LotStream(admin).ensureStream();
  for (let i = 0; i < CONNECTIONS; i++)
    replicas.push(await connect({ servers: nats.url, name: `replica-${i}` }));

  const baselineRssMiB = rssBytes(natsPid) / 2 ** 20;
  log(`[0 feeds] nats-server ${baselineRssMiB.toFixed(0)} MiB`);
  const rows: Array<Record<string, string | number>> = [];
  for (const total of STEPS) {
    const opened = await openFeeds(total - feeds.length);
    log(`[${total} feeds] opened at ${opened.toFixed(0)}/s; settling`);
    await sleep(CONSUME_EXPIRES_MS * 2); // every feed through its pull cycle twice
    const idle = await measure(WINDOW_MS);
    log(`[${total} feeds] idle: nats ${idle.natsCpu.toFixed(1)}% CPU, ${idle.natsRssMiB} MiB`);
    const busy = await measure(WINDOW_MS, (signal) =>
      publishEvenly(admin, total / PER_LOT, signal),
    );
    // nats-server's work per event: its append (stored, acknowledged) and its deliveries.
    const perEvent = ((busy.natsCpu - idle.natsCpu) / 100 / busy.publishedPerSecond) * 1e6;
    rows.push({
      feeds: total,
      lots: total / PER_LOT,
      "opened/s": Math.round(opened),
      "nats RSS MiB": Math.round(idle.natsRssMiB),
      "nats KiB/feed": Math.round(((idle.natsRssMiB - baselineRssMiB) * 1024) / total),
      "nats CPU % idle": idle.natsCpu.toFixed(1),
      "client CPU % idle": idle.clientCpu.toFixed(1),
      "events/s": Math.round(busy.publishedPerSecond),
      "delivered/s": Math.round(busy.deliveredPerSecond),
      "nats CPU % busy": busy.natsCpu.toFixed(1),
      "nats us/event": perEvent.toFixed(1),
      "p50/p99 ms": `${busy.p50.toFixed(1)} / ${busy.p99.toFixed(1)}`,
    });
    log(`[${total} feeds] busy: ${Math.round(busy.deliveredPerSecond)}/s, p99 ${busy.p99} ms`);
  }
  // The alternative at scale: one feed per replica on every lot's events, filtered by
  // the replica itself. Same lots, same rate; each event reaches every connection.
  const lots = STEPS.at(-1)! / PER_LOT;
  await Promise.all(feeds.splice(0).map((f) => f.close()));
  await sleep(CONSUME_EXPIRES_MS);
  for (const nc of replicas) await follow(nc, LOT_SUBJECT_WILDCARD);
  await sleep(CONSUME_EXPIRES_MS * 2);
  const idle = await measure(WINDOW_MS);
  const busy = await measure(WINDOW_MS, (signal) => publishEvenly(admin, lots, signal));
  rows.push({
    feeds: `${CONNECTIONS} (all lots)`,
    lots,
    "opened/s": "-",
    "nats RSS MiB": Math.round(idle.natsRssMiB),
    "nats KiB/feed": "-",
    "nats CPU % idle": idle.natsCpu.toFixed(1),
    "client CPU % idle": idle.clientCpu.toFixed(1),
    "events/s": Math.round(busy.publishedPerSecond),
    "delivered/s": Math.round(busy.deliveredPerSecond),
    "nats CPU % busy": busy.natsCpu.toFixed(1),
    "nats us/event": (
      ((busy.natsCpu - idle.natsCpu) / 100 / busy.publishedPerSecond) *
      1e6
    ).toFixed(1),
    "p50/p99 ms": `${busy.p50.toFixed(1)} / ${busy.p99.toFixed(1)}`,
  });
  console.log(
    `# NATS live feeds (${CONNECTIONS} connections, ${PER_LOT} feeds per lot, ` +
      `${RATE} events/s when busy, ${WINDOW_MS / 1000} s windows)`,
  );
  printTable(rows);
  await admin.close();
} finally {
  await Promise.all(feeds.map((f) => f.close().catch(() => undefined)));
  await Promise.all(replicas.map((nc) => nc.close().catch(() => undefined)));
  await nats.stop();
}

/** Opens `count` feeds as FeedHub does, PER_LOT per lot on different connections. */
async function openFeeds(count: number): Promise<number> {
  const started = performance.now();
  const first = feeds.length;
  const open = async (n: number) =>
    follow(replicas[n % CONNECTIONS]!, lotSubject(lotId(Math.floor(n / PER_LOT))));
  // 64 at a time: a replica opening feeds as its clients arrive, not one by one.
  for (let n = first; n < first + count; n += 64)
    await Promise.all(
      Array.from({ length: Math.min(64, first + count - n) }, (_, i) => open(n + i)),
    );
  return count / ((performance.now() - started) / 1000);
}

/** Opens a feed on `subject` as FeedHub does: an ordered consumer from the next event. */
async function follow(nc: NatsConnection, subject: string): Promise<void> {
  const consumer = await jetstream(nc).consumers.get(LOT_EVENTS_STREAM, {
    filter_subjects: [subject],
    deliver_policy: DeliverPolicy.New,
  });
  const messages = await consumer.consume({ max_messages: 512, expires: CONSUME_EXPIRES_MS });
  feeds.push(messages);
  void (async () => {
    for await (const message of messages) {
      latencies.push(Date.now() - message.info.timestampNanos / 1e6);
      delivered++;
    }
  })();
}

/** Appends RATE events per second to the lots in turn until the signal aborts. */
async function publishEvenly(nc: NatsConnection, lots: number, signal: AbortSignal) {
  const js = jetstream(nc);
  const endsAtMs = Date.now() + 3600_000;
  const startedAt = performance.now();
  let n = 0;
  while (!signal.aborted) {
    // What is owed by now, whatever the last batch of acknowledgements took.
    const owed = Math.floor(((performance.now() - startedAt) / 1000) * RATE) - n;
    const acks: Array<Promise<unknown>> = [];
    for (let i = 0; i < owed; i++, n++) {
      const lot = lotId(n % lots);
      const bid = {
        bidId: `b${n}`,
        bidderId: "feeds-bench",
        amountMinor: BigInt(100 + n),
        endsAtMs,
      };
      acks.push(js.publish(lotSubject(lot), toBinary(LotEventSchema, syntheticBid(lot, bid))));
    }
    published += acks.length;
    await Promise.all(acks);
    await sleep(5);
  }
}

interface Window {
  natsCpu: number;
  clientCpu: number;
  natsRssMiB: number;
  deliveredPerSecond: number;
  publishedPerSecond: number;
  p50: number;
  p99: number;
}

/** CPU (% of one core), memory and deliveries over `ms`, with `load` running meanwhile. */
async function measure(ms: number, load?: (signal: AbortSignal) => Promise<void>): Promise<Window> {
  const stop = new AbortController();
  const running = load?.(stop.signal);
  await sleep(1_000); // warm up
  latencies = [];
  delivered = 0;
  published = 0;
  const before = { nats: natsCpuSeconds(), client: totalCpuSeconds([process.pid]) };
  const startedAt = performance.now();
  await sleep(ms);
  const after = { nats: natsCpuSeconds(), client: totalCpuSeconds([process.pid]) };
  const elapsed = (performance.now() - startedAt) / 1000;
  const window = { delivered, published, latencies: latencies.slice() };
  stop.abort();
  await running;
  return {
    natsCpu: ((after.nats - before.nats) / elapsed) * 100,
    clientCpu: ((after.client - before.client) / elapsed) * 100,
    natsRssMiB: rssBytes(natsPid!) / 2 ** 20,
    deliveredPerSecond: window.delivered / elapsed,
    publishedPerSecond: window.published / elapsed,
    p50: percentile(window.latencies, 50),
    p99: percentile(window.latencies, 99),
  };
}

function lotId(n: number): string {
  return `feedbench${n}`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
