/**
 * The push table's subscribers: `count` of each push protocol following one lot, plus one
 * more per protocol through a counting relay (its bytes per event), each recording when
 * every probe arrived.
 */
import { startByteRelay, type ByteCount, type ByteRelay } from "./byte-relay.ts";
import { openPushClient, type PushClient, type PushKind } from "./push-clients.ts";
import { portOf, type ProtocolStack } from "./stack.ts";

export interface PushProtocol {
  kind: PushKind;
  name: string;
  server: "push" | "bidding";
  note: string;
}

export interface Subscriber {
  kind: PushKind;
  /** Reads through the protocol's relay; left out of the latencies. */
  metered: boolean;
  /** Arrival time (performance.now()) by probe number; NaN until it came. */
  arrivals: Float64Array;
  client: PushClient;
}

export interface SubscriberSet {
  subscribers: Subscriber[];
  /** Bytes received so far by each protocol's metered subscriber. */
  meteredBytes(): Map<PushKind, ByteCount>;
  /** Whether every subscriber has probes from .. to - 1. */
  haveAll(from: number, to: number): boolean;
  /** The protocols of the subscribers that lack one of probes from .. to - 1. */
  lacking(from: number, to: number): PushKind[];
  close(): Promise<void>;
}

const hasAll = (s: Subscriber, from: number, to: number) =>
  s.arrivals.subarray(from, to).every((t) => !Number.isNaN(t));

function subscribe(kind: PushKind, base: string, lot: LotToFollow, metered: boolean): Subscriber {
  const arrivals = new Float64Array(lot.probes).fill(Number.NaN);
  const onProbe = (n: number) => {
    if (n < lot.probes && Number.isNaN(arrivals[n]!)) arrivals[n] = performance.now();
  };
  const client = openPushClient(kind, { push: base, bidding: base }, lot.id, lot.after, onProbe);
  return { kind, metered, arrivals, client };
}

export interface LotToFollow {
  id: string;
  /** The lot's version before the first probe (where the RPC streams start). */
  after: bigint;
  /** How many probes will be published (0 .. probes - 1). */
  probes: number;
}

/** Opens every subscriber and resolves once all of them follow the lot. */
export async function openSubscribers(
  stack: ProtocolStack,
  protocols: PushProtocol[],
  count: number,
  lot: LotToFollow,
): Promise<SubscriberSet> {
  const relays = new Map<PushKind, ByteRelay>();
  const subscribers: Subscriber[] = [];
  const close = async () => {
    subscribers.forEach((s) => s.client.close());
    await Promise.all([...relays.values()].map((r) => r.close()));
  };
  try {
    for (const protocol of protocols) {
      const serverUrl = protocol.server === "push" ? stack.push.rpcUrl : stack.bidding.rpcUrl;
      const relay = await startByteRelay(portOf(serverUrl));
      relays.set(protocol.kind, relay);
      for (let i = 0; i < count; i++)
        subscribers.push(subscribe(protocol.kind, serverUrl, lot, false));
      subscribers.push(subscribe(protocol.kind, `http://127.0.0.1:${relay.port}`, lot, true));
    }
    const timeout = new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error("subscribers did not open within 20 s")), 20_000).unref(),
    );
    await Promise.race([Promise.all(subscribers.map((s) => s.client.ready)), timeout]);
  } catch (err) {
    await close();
    throw err;
  }
  return {
    subscribers,
    meteredBytes: () => new Map([...relays].map(([kind, relay]) => [kind, relay.count()])),
    haveAll: (from, to) => subscribers.every((s) => hasAll(s, from, to)),
    lacking: (from, to) => [
      ...new Set(subscribers.filter((s) => !hasAll(s, from, to)).map((s) => s.kind)),
    ],
    close,
  };
}
