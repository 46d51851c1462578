/**
 * What one event costs a push replica apart from its deliveries, by feed mode, tracing and
 * viewers per lot: docs/benchmarks.md#what-one-event-costs-a-push-replica
 *
 *   npm run bench:push-event -- [--lots 100] [--viewers 1,10] [--rate 1000] [--seconds 10]
 *                               [--modes per-channel,shared] [--tracing off,export] [--profile]
 */
import { parseCommandLine } from "@gavel/config/command-line";
import { toBinary } from "@bufbuild/protobuf";
import { jetstream } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import WebSocket from "ws";
import { lotSubject } from "@gavel/nats";
import { LotEventSchema } from "@gavel/proto/lot/v1/lot_events";
import { printTable } from "@gavel/load";
import {
  freePort,
  serviceEnv,
  startNatsServer,
  startService,
  syntheticBid,
  type ServiceProcess,
} from "@gavel/testing";
import { parseChannel } from "@gavel/push/channels";
import { startScript } from "../shared/child-servers.ts";
import { processCpuSeconds } from "../shared/cpu-time.ts";
import { InspectorSession, selfTimeByArea, topSelfTime } from "../shared/node-inspector.ts";
import { linuxProc, natsServer, requirePrerequisites } from "../shared/prerequisites.ts";

const { values: args, fail } = parseCommandLine("npm run bench:push-event --", {
  options: {
    lots: { type: "string", default: "100" },
    viewers: { type: "string", default: "1,10" },
    rate: { type: "string", default: "1000" },
    seconds: { type: "string", default: "10" },
    modes: { type: "string", default: "per-channel,shared" },
    tracing: { type: "string", default: "off,export" },
    profile: { type: "boolean", default: false },
  },
});
const LOTS = Number(args.lots);
const VIEWERS = args.viewers.split(",").map(Number);
const RATE = Number(args.rate);
const WINDOW_MS = Number(args.seconds) * 1000;
const MODES = args.modes.split(",");
const TRACING = args.tracing.split(",");
if (TRACING.some((t) => t !== "off" && t !== "export"))
  fail("--tracing: off (OTEL_SDK_DISABLED) and/or export (OTLP to a sink)");
if (!(LOTS > 0) || !(RATE > 0) || VIEWERS.some((v) => !(v >= 1)))
  fail("--lots, --rate and each of --viewers must be positive numbers");

const log = (line: string) => process.stderr.write(`${line}\n`);
const kernelSeconds = (pid: number) => processCpuSeconds(pid).kernel;
const cpuSeconds = (pid: number) => {
  const t = processCpuSeconds(pid);
  return t.user + t.kernel;
};

requirePrerequisites("bench:push-event", [linuxProc, natsServer(true)]);
const nats = await startNatsServer({ ...process.env, GAVEL_TEST_NATS: "binary" });
const sinkPort = await freePort();
const sink = await startScript(new URL("../shared/otlp-sink.ts", import.meta.url), [
  String(sinkPort),
]);
const publisher = await connect({ servers: nats.url });
const js = jetstream(publisher);
const lotIds = Array.from({ length: LOTS }, (_, i) => `bench-lot-${i}`);
const rows: Array<Record<string, string | number>> = [];
let seq = 0;

try {
  for (const mode of MODES)
    for (const tracing of TRACING)
      for (const viewers of VIEWERS) rows.push(await step(mode, tracing, viewers));
  printTable(rows);
  printTable(split(rows));
  printTable([{ "in-process": "decode + serialize one bid event", µs: decodeMicros() }]);
} finally {
  await publisher.close();
  await sink.stop();
  await nats.stop();
}

async function step(
  mode: string,
  tracing: string,
  viewers: number,
): Promise<Record<string, string | number>> {
  const name = `${mode}, tracing ${tracing}, ${viewers} viewer(s) per lot`;
  log(`${name}: starting a replica`);
  const push = await startService(
    "push",
    {
      ...serviceEnv(nats.url),
      GAVEL_BIDDING_URL: "http://127.0.0.1:9", // no bids in this bench
      GAVEL_PUSH_FEEDS: mode,
      GAVEL_PUSH_MAX_SUBSCRIPTIONS: String(Math.max(LOTS, 1)),
      GAVEL_PUSH_MESSAGES_PER_SECOND: "10000",
      LOG_LEVEL: "warn",
      ...(tracing === "off"
        ? { OTEL_SDK_DISABLED: "true" }
        : { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${sinkPort}` }),
    },
    { inspect: args.profile },
  );
  const clients = await Promise.all(
    Array.from({ length: viewers }, () => watcher(push.rpcUrl, lotIds)),
  );
  try {
    await sleep(1_000);
    const idleStart = cpuSeconds(push.pid);
    const idleKernelStart = kernelSeconds(push.pid);
    await sleep(WINDOW_MS / 2);
    const idlePerSecond = (cpuSeconds(push.pid) - idleStart) / (WINDOW_MS / 2000);
    const idleKernelPerSecond = (kernelSeconds(push.pid) - idleKernelStart) / (WINDOW_MS / 2000);

    const session = args.profile ? await inspector(push) : undefined;
    await session?.startProfile();
    const deliveredBefore = clients.reduce((n, c) => n + c.delivered, 0);
    const busyStart = cpuSeconds(push.pid);
    const kernelStart = kernelSeconds(push.pid);
    const started = Date.now();
    const events = await publishFor(WINDOW_MS);
    const expected = deliveredBefore + events * viewers;
    // The deliveries still in flight when publishing stops, within a second.
    const deadline = Date.now() + 2_000;
    while (clients.reduce((n, c) => n + c.delivered, 0) < expected && Date.now() < deadline)
      await sleep(20);
    const elapsedS = (Date.now() - started) / 1000;
    const busy = cpuSeconds(push.pid) - busyStart - idlePerSecond * elapsedS;
    const kernel = kernelSeconds(push.pid) - kernelStart - idleKernelPerSecond * elapsedS;
    const profile = await session?.stopProfile();
    session?.close();
    const delivered = clients.reduce((n, c) => n + c.delivered, 0) - deliveredBefore;
    if (profile) {
      log(`\nwhere ${name} spent its CPU (self time):`);
      printTable(ofBusy(selfTimeByArea(profile, 15)));
      printTable(ofBusy(topSelfTime(profile, 15)));
    }
    return {
      feeds: mode,
      tracing,
      lots: LOTS,
      "viewers/lot": viewers,
      events: events,
      "events/s": Math.round(events / (WINDOW_MS / 1000)),
      delivered: delivered,
      missing: events * viewers - delivered,
      "idle CPU %": round(idlePerSecond * 100),
      "µs/event": round((busy / events) * 1e6),
      "µs/delivery": delivered > 0 ? round((busy / delivered) * 1e6) : "-",
      "of which kernel %": round((kernel / busy) * 100),
    };
  } finally {
    for (const client of clients) client.close();
    await push.stop();
  }
}

/**
 * Per mode and tracing, the line through the steps' (deliveries per event, µs per event):
 * its slope is what one delivery costs, its intercept what an event costs the replica
 * before any delivery (the feed's consumer, decoding, serializing, tracing).
 */
function split(all: Array<Record<string, string | number>>) {
  return MODES.flatMap((mode) =>
    TRACING.flatMap((tracing) => {
      const points = all
        .filter((r) => r.feeds === mode && r.tracing === tracing)
        .map((r) => ({ x: Number(r.delivered) / Number(r.events), y: Number(r["µs/event"]) }));
      if (points.length < 2) return [];
      const mx = points.reduce((a, p) => a + p.x, 0) / points.length;
      const my = points.reduce((a, p) => a + p.y, 0) / points.length;
      const sxx = points.reduce((a, p) => a + (p.x - mx) ** 2, 0);
      const slope = points.reduce((a, p) => a + (p.x - mx) * (p.y - my), 0) / sxx;
      return [
        {
          feeds: mode,
          tracing,
          "µs per event, fixed": round(my - slope * mx),
          "µs per delivery": round(slope),
        },
      ];
    }),
  );
}

/**
 * The part of the fixed cost that is the push gateway's own code: decoding one stored bid
 * and serializing it for WebSocket and SSE (Channel.decode), timed in this process.
 */
function decodeMicros(): number {
  const channel = parseChannel("lot:bench-lot-0")!;
  const event = syntheticBid("bench-lot-0", { bidId: "b", bidderId: "u", amountMinor: 12345n });
  const data = toBinary(LotEventSchema, event);
  const traceId = "0af7651916cd43dd8448eb211c80319c";
  for (let i = 0; i < 20_000; i++) channel.decode(i, data, traceId); // warm up the JIT
  const n = 200_000;
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) channel.decode(i, data, traceId);
  return round(Number(process.hrtime.bigint() - start) / n / 1000);
}

/** A self-time table in % of the busy samples: the idle ones left out. */
function ofBusy(table: Array<{ where: string; "self %": number }>) {
  const idle = table.find((r) => r.where === "(idle)")?.["self %"] ?? 0;
  return table
    .filter((r) => r.where !== "(idle)")
    .map((r) => ({ where: r.where, "% of busy": round((r["self %"] / (100 - idle)) * 100) }));
}

/** Appends bids round-robin over the lots at RATE per second for `ms`; how many. */
async function publishFor(ms: number): Promise<number> {
  const end = Date.now() + ms;
  const perTick = Math.max(1, Math.round(RATE / 100));
  let published = 0;
  for (let next = Date.now(); next < end; next += (perTick / RATE) * 1000) {
    const acks: Array<Promise<unknown>> = [];
    for (let i = 0; i < perTick; i++) {
      const lotId = lotIds[seq % LOTS]!;
      const event = syntheticBid(lotId, {
        bidId: `bench-${seq}`,
        bidderId: "bench-bidder",
        amountMinor: BigInt(1000 + seq++),
      });
      acks.push(js.publish(lotSubject(lotId), toBinary(LotEventSchema, event)));
    }
    await Promise.all(acks);
    published += perTick;
    const wait = next - Date.now();
    if (wait > 0) await sleep(wait);
  }
  return published;
}

interface Watcher {
  delivered: number;
  close(): void;
}

/** One WebSocket client following every lot; counts the events it receives. */
async function watcher(baseUrl: string, lots: string[]): Promise<Watcher> {
  const ws = new WebSocket(`${baseUrl.replace(/^http/, "ws")}/ws`, ["gavel.v1"]);
  const state: Watcher = { delivered: 0, close: () => ws.terminate() };
  let subscribed = 0;
  const ready = new Promise<void>((resolve, reject) => {
    ws.on("error", reject);
    ws.on("message", (data: Buffer) => {
      const text = data.toString();
      if (text.includes('"type":"error"')) reject(new Error(`the replica refused: ${text}`));
      subscribed += occurrences(text, '"type":"subscribed"');
      if (subscribed === lots.length) resolve();
      state.delivered += occurrences(text, '"type":"event"');
    });
  });
  await new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject));
  for (const [i, lotId] of lots.entries())
    ws.send(JSON.stringify({ v: 1, type: "subscribe", id: `s${i}`, channel: `lot:${lotId}` }));
  await ready;
  return state;
}

async function inspector(service: ServiceProcess): Promise<InspectorSession> {
  const targets = (await (await fetch(`${service.inspectUrl}/json/list`)).json()) as Array<{
    webSocketDebuggerUrl: string;
  }>;
  return InspectorSession.open(targets[0]!.webSocketDebuggerUrl);
}

function occurrences(text: string, fragment: string): number {
  let n = 0;
  for (let i = text.indexOf(fragment); i !== -1; i = text.indexOf(fragment, i + 1)) n++;
  return n;
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
