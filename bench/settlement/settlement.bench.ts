/**
 * Settlement (issue 10): how fast two replicas of the Go service turn a burst of closed
 * lots into invoices, and how long a lot waits from its close to its invoice at steady rates.
 * Why: docs/benchmarks.md#settlement-closes-to-invoices
 *
 *   npm run bench:settlement -- [--lots 5000] [--rates 100,250,500] [--seconds 10]
 */
import { randomUUID } from "node:crypto";
import { parseCommandLine } from "@gavel/config/command-line";
import { create, toBinary, type MessageInitShape } from "@bufbuild/protobuf";
import { timestampNow } from "@bufbuild/protobuf/wkt";
import { jetstream, jetstreamManager, type JetStreamClient } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { closedLoop, percentile, printTable } from "@gavel/load";
import { LotStream } from "@gavel/lot-events";
import { INVOICES_STREAM, invoiceSubject, LOT_EVENTS_STREAM, lotSubject } from "@gavel/nats";
import { LotEventSchema } from "@gavel/proto/lot/v1/lot_events";
import { serviceEnv, ServiceGroup } from "@gavel/testing";
import { startBenchNats } from "../shared/bench-nats.ts";
import { go, natsServer, requirePrerequisites } from "../shared/prerequisites.ts";

const { values: args } = parseCommandLine("npm run bench:settlement --", {
  options: {
    lots: { type: "string", default: "5000" },
    rates: { type: "string", default: "100,250,500" },
    seconds: { type: "string", default: "10" },
  },
});
const LOTS = Number(args.lots);
const RATES = args.rates.split(",").map(Number);
const SECONDS = Number(args.seconds);
const say = (line: string) => process.stderr.write(`${line}\n`);

requirePrerequisites("bench:settlement", [go, natsServer()]);
const nats = await startBenchNats();
const group = new ServiceGroup();
const nc = await connect({ servers: nats.url });
const jsm = await jetstreamManager(nc);
try {
  const js = jetstream(nc);
  await new LotStream(nc).ensureStream();
  const env = { ...serviceEnv(nats.url), LOG_LEVEL: "warn", OTEL_SDK_DISABLED: "true" };
  await Promise.all([group.start("settlement", env), group.start("settlement", env)]);
  say("two settlement replicas ready");

  const rows: Array<Record<string, string | number>> = [];
  // 1. A burst: every close at once.
  const burst = Array.from({ length: LOTS }, () => randomUUID());
  for (const id of burst) await listAndBid(js, id);
  const invoicesBefore = await invoiceCount();
  const started = performance.now();
  await Promise.all(burst.map((id) => close(js, id)));
  let issued = 0;
  for (let last = performance.now(); issued < LOTS;) {
    await new Promise((r) => setTimeout(r, 50));
    issued = (await invoiceCount()) - invoicesBefore;
    if (performance.now() - last > 2000) {
      say(`  burst: ${issued}/${LOTS} invoices`);
      last = performance.now();
    }
  }
  const seconds = (performance.now() - started) / 1000;
  const burstLatency = await latencies(burst);
  rows.push({
    load: `${LOTS} closes at once`,
    "closes/s offered": "-",
    "invoices/s": LOTS / seconds,
    "p50 ms": percentile(burstLatency, 50),
    "p99 ms": percentile(burstLatency, 99),
    "max ms": percentile(burstLatency, 100),
  });
  say(`burst: ${LOTS} invoices in ${seconds.toFixed(2)} s`);

  // 2. Steady rates: one close every 1/rate s, latency per close.
  for (const rate of RATES) {
    const ids = Array.from({ length: Math.ceil(rate * SECONDS) }, () => randomUUID());
    for (const id of ids) await listAndBid(js, id);
    let next = 0;
    const t0 = performance.now();
    await closedLoop({
      workers: 1,
      seconds: SECONDS,
      label: `${rate} closes/s`,
      noun: "closes",
      onProgress: say,
      progressSeconds: 5,
      step: async () => {
        const due = t0 + (next * 1000) / rate;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        const id = ids[next++];
        if (!id) return { outcome: "refused" };
        void close(js, id);
        return { outcome: "accepted" };
      },
    });
    const closed = ids.slice(0, next);
    await waitForInvoices(closed);
    const lat = await latencies(closed);
    rows.push({
      load: `steady, ${SECONDS} s`,
      "closes/s offered": rate,
      "invoices/s": closed.length / SECONDS,
      "p50 ms": percentile(lat, 50),
      "p99 ms": percentile(lat, 99),
      "max ms": percentile(lat, 100),
    });
    say(`${rate}/s: ${closed.length} closes, p99 ${percentile(lat, 99).toFixed(1)} ms`);
  }
  console.log(`\nSettlement, two replicas of the Go service, NATS ${nats.kind} (file storage)\n`);
  printTable(rows);
} finally {
  await nc.close();
  await group.stop();
  await nats.stop();
}

function event(lotId: string, kind: MessageInitShape<typeof LotEventSchema>["kind"]): Uint8Array {
  return toBinary(
    LotEventSchema,
    create(LotEventSchema, { lotId, occurredAt: timestampNow(), kind }),
  );
}

async function listAndBid(js: JetStreamClient, lotId: string): Promise<void> {
  const eur = (minor: bigint) => ({ currencyCode: "EUR", amountMinor: minor });
  await js.publish(
    lotSubject(lotId),
    event(lotId, {
      case: "opened",
      value: { sellerId: "bench-seller", title: "Bench lot", startingPrice: eur(1_00n) },
    }),
  );
  await js.publish(
    lotSubject(lotId),
    event(lotId, {
      case: "bidAccepted",
      value: { bidId: `bid-${lotId}`, bidderId: "bench-buyer", amount: eur(1_234_56n) },
    }),
  );
}

function close(js: JetStreamClient, lotId: string) {
  return js.publish(
    lotSubject(lotId),
    event(lotId, {
      case: "closed",
      value: {
        winnerId: "bench-buyer",
        winningBidId: `bid-${lotId}`,
        hammerPrice: { currencyCode: "EUR", amountMinor: 1_234_56n },
        reserveMet: true,
        bidCount: 1,
      },
    }),
  );
}

async function invoiceCount(): Promise<number> {
  const info = await jsm.streams.info(INVOICES_STREAM).catch(() => undefined);
  return info?.state.messages ?? 0;
}

async function waitForInvoices(ids: string[]): Promise<void> {
  for (const id of ids) {
    for (;;) {
      const found = await jsm.streams
        .getMessage(INVOICES_STREAM, { last_by_subj: invoiceSubject(id) })
        .catch(() => null);
      if (found) break;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

/** Close-to-invoice, server time to server time, for each lot. */
async function latencies(ids: string[]): Promise<number[]> {
  const out: number[] = [];
  for (const id of ids) {
    const closed = await jsm.streams.getMessage(LOT_EVENTS_STREAM, {
      last_by_subj: lotSubject(id),
    });
    const invoice = await jsm.streams.getMessage(INVOICES_STREAM, {
      last_by_subj: invoiceSubject(id),
    });
    if (!closed || !invoice) throw new Error(`lot ${id}: no close or no invoice`);
    out.push(invoice.time.getTime() - closed.time.getTime());
  }
  return out;
}
