/**
 * Table 3 of the protocol bench: one lot's events delivered to subscribers of every push
 * protocol at once. Each probe is published to JetStream once and reaches all of them, so
 * the latencies (publish to arrival, on the bench's one clock) are of the same events at
 * the same moments. One more subscriber per protocol reads through a counting relay for
 * the bytes an event costs on its connection.
 */
import { randomUUID } from "node:crypto";
import { BiddingService } from "@gavel/proto/bidding/v1/bidding";
import { connectClient } from "@gavel/testing";
import { percentile, printTable } from "@gavel/load";
import { bytesBetween } from "./byte-relay.ts";
import { tenths } from "./load.ts";
import { openProbePublisher } from "./probe-publisher.ts";
import { openSubscribers, type PushProtocol, type SubscriberSet } from "./push-subscribers.ts";
import { listLot } from "./seed.ts";
import type { ProtocolSettings } from "./settings.ts";
import type { ProtocolStack } from "./stack.ts";

const RPC_NOTE = "bidding's WatchLot RPC, h2c";

const PROTOCOLS: PushProtocol[] = [
  { kind: "websocket", name: "WebSocket (push /ws)", server: "push", note: "JSON text frames" },
  { kind: "sse", name: "SSE (push /sse/lots/{id})", server: "push", note: "HTTP/1.1, chunked" },
  { kind: "connect-json", name: "Connect stream, JSON", server: "bidding", note: RPC_NOTE },
  { kind: "connect-binary", name: "Connect stream, binary", server: "bidding", note: RPC_NOTE },
  { kind: "grpc", name: "gRPC stream", server: "bidding", note: RPC_NOTE },
];

/** Probes sent before the measured ones: they prove every subscriber is live. */
const WARMUP_PROBES = 5;

async function waitFor(done: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (!done() && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  return done();
}

function rows(
  set: SubscriberSet,
  publishedAt: Map<number, number>,
  bytesOf: (protocol: PushProtocol) => number,
  settings: ProtocolSettings,
) {
  return PROTOCOLS.map((protocol) => {
    const latencies: number[] = [];
    let expected = 0;
    for (const s of set.subscribers.filter((s) => s.kind === protocol.kind && !s.metered)) {
      for (const [n, published] of publishedAt) {
        expected++;
        if (!Number.isNaN(s.arrivals[n]!)) latencies.push(s.arrivals[n]! - published);
      }
    }
    return {
      protocol: protocol.name,
      subscribers: settings.pushClients,
      delivered: `${latencies.length}/${expected}`,
      "p50 ms": tenths(percentile(latencies, 50)),
      "p99 ms": tenths(percentile(latencies, 99)),
      "max ms": tenths(percentile(latencies, 100)),
      "wire B/event": Math.round(bytesOf(protocol) / settings.pushEvents),
      note: protocol.note,
    };
  });
}

export async function runPushTable(stack: ProtocolStack, settings: ProtocolSettings) {
  const id = await listLot(stack.catalog.rpcUrl, randomUUID(), "The pushed lot");
  const bidding = connectClient(BiddingService, stack.bidding.rpcUrl);
  const after = (await bidding.getLotState({ lotId: id })).state!.version;
  const probes = WARMUP_PROBES + settings.pushEvents;
  const publisher = await openProbePublisher(stack.nats.url, id);
  process.stderr.write(
    `[push] opening ${settings.pushClients} (+1 metered) subscribers of each of ` +
      `${PROTOCOLS.length} protocols to lot ${id}\n`,
  );
  const set = await openSubscribers(stack, PROTOCOLS, settings.pushClients, { id, after, probes });
  try {
    process.stderr.write(`[push] ${WARMUP_PROBES} warm-up probes, until all have them\n`);
    await publisher.publish(0, WARMUP_PROBES, settings.pushIntervalMs);
    if (!(await waitFor(() => set.haveAll(0, WARMUP_PROBES), 15_000)))
      throw new Error(`warm-up probes never reached ${set.lacking(0, WARMUP_PROBES).join(", ")}`);

    const bytesBefore = set.meteredBytes();
    const every = settings.pushIntervalMs;
    process.stderr.write(
      `[push] publishing ${settings.pushEvents} probes, one every ${every} ms\n`,
    );
    const publishedAt = await publisher.publish(WARMUP_PROBES, settings.pushEvents, every);
    await waitFor(() => set.haveAll(WARMUP_PROBES, probes), 5_000);
    const bytesAfter = set.meteredBytes();
    const bytesOf = (p: PushProtocol) =>
      bytesBetween(bytesBefore.get(p.kind)!, bytesAfter.get(p.kind)!).received;

    console.log(
      `\n## 3. The same lot events pushed over each protocol (${settings.pushEvents} events, ` +
        `one every ${every} ms, ${settings.pushClients} subscribers each)\n`,
    );
    printTable(rows(set, publishedAt, bytesOf, settings));
  } finally {
    await set.close();
    await publisher.close();
  }
}
