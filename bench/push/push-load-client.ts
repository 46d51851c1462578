/**
 * One load-generator process of push-fanout.bench.ts (forked with IPC): opens its share of
 * the clients, each on one lot, and answers a `mark` with the deliveries so far and the
 * latencies since the last. To spare the shared CPU nothing is parsed: events are counted by
 * `"type":"event"` in the raw frame, and only every sampleEvery-th client reads latencies.
 */
import http from "node:http";
import {
  openTextSocket,
  type ClientImplementation,
  type TextSocketHandlers,
} from "../shared/text-socket.ts";

/** The client side of each system: its wire protocol, nothing more. */
export type ClientKind = "gavel-ws" | "gavel-sse" | "socketio" | "bare";

export interface ConnectOrder {
  type: "connect";
  kind: ClientKind;
  /** One base URL (http://host:port) per server. */
  urls: string[];
  /** This process's clients are offset .. offset + count - 1 of the whole bench. */
  offset: number;
  count: number;
  /** The lots the clients follow, one each (see placement()). */
  lotIds: string[];
  /** Every sampleEvery-th client of each server and lot records latencies. */
  sampleEvery: number;
  /**
   * Addresses the clients bind their end to, round-robin (127.0.0.2, ...), so that no
   * address runs out of ephemeral ports; empty: the kernel picks (127.0.0.1).
   */
  localAddresses: string[];
  /** Connections opening at once in this process. */
  concurrency: number;
  /** Which WebSocket client the WebSocket kinds use. */
  implementation: ClientImplementation;
}

export type ParentMessage = ConnectOrder | { type: "mark" } | { type: "close" };

export type ClientReport =
  | {
      type: "connected";
      /** Clients that follow their lot, by server (the order of `urls`) and by lot. */
      openByServer: number[];
      openByLot: number[];
      failed: number;
      firstError?: string;
    }
  | {
      type: "mark";
      /** Events received since the start, over every client of this process. */
      delivered: number;
      /** Clients the server closed (or that failed) after they had connected. */
      closed: number;
      /** Publish-to-receive milliseconds, from sampled clients, since the last mark. */
      samples: number[];
    }
  | { type: "closed" };

const EVENT = Buffer.from('"type":"event"');
const SSE_EVENT = Buffer.from("\nevent: ");
const STAMP = Buffer.from('"bidId":"bench-');
const CONNECT_TIMEOUT_MS = 30_000;

let delivered = 0;
let closed = 0;
let samples: number[] = [];
const sockets: Array<{ close(): void }> = [];
let closing = false;

function send(report: ClientReport): void {
  process.send!(report);
}

process.on("message", (message: ParentMessage) => {
  if (message.type === "connect") void connectAll(message);
  else if (message.type === "mark") {
    send({ type: "mark", delivered, closed, samples });
    samples = [];
  } else if (message.type === "close") {
    closing = true;
    for (const socket of sockets) socket.close();
    send({ type: "closed" });
    setTimeout(() => process.exit(0), 200);
  }
});
process.on("disconnect", () => process.exit(0));

function occurrences(data: Buffer, needle: Buffer): number {
  let count = 0;
  for (let at = data.indexOf(needle); at !== -1; at = data.indexOf(needle, at + needle.length))
    count++;
  return count;
}

/** Latencies of the events in a frame: now minus the time in `"bidId":"bench-<n>-<ms>"`. */
function recordLatencies(data: Buffer): void {
  const now = performance.timeOrigin + performance.now();
  for (let at = data.indexOf(STAMP); at !== -1; at = data.indexOf(STAMP, at)) {
    const start = data.indexOf(45 /* - */, at + STAMP.length) + 1;
    const end = data.indexOf(34 /* " */, start);
    samples.push(now - Number(data.toString("latin1", start, end)));
    at = end;
  }
}

function received(data: Buffer, sampled: boolean, needle = EVENT): void {
  delivered += occurrences(data, needle);
  if (sampled) recordLatencies(data);
}

/**
 * Where the bench's client `index` goes: servers round-robin, and on each server the lots
 * round-robin, so every server carries every lot and every lot is on every server.
 */
function placement(order: ConnectOrder, index: number) {
  const servers = order.urls.length;
  const lots = order.lotIds.length;
  const addresses = order.localAddresses.length;
  const lot = Math.floor(index / servers) % lots;
  return {
    server: index % servers,
    lot,
    lotId: order.lotIds[lot]!,
    sampled: Math.floor(index / (servers * lots)) % order.sampleEvery === 0,
    localAddress: addresses ? order.localAddresses[index % addresses] : undefined,
  };
}

async function connectAll(order: ConnectOrder): Promise<void> {
  const openByServer = order.urls.map(() => 0);
  const openByLot = order.lotIds.map(() => 0);
  let failed = 0;
  let firstError: string | undefined;
  let next = 0;
  const worker = async () => {
    while (next < order.count) {
      const client = placement(order, order.offset + next++);
      try {
        await openClient(order, client);
        openByServer[client.server]!++;
        openByLot[client.lot]!++;
      } catch (err) {
        failed++;
        firstError ??= err instanceof Error ? err.message : String(err);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(order.concurrency, order.count) }, worker));
  send({
    type: "connected",
    openByServer,
    openByLot,
    failed,
    ...(firstError ? { firstError } : {}),
  });
}

type Placement = ReturnType<typeof placement>;

/** Resolves once the client follows the channel (the protocol's confirmation, if any). */
function openClient(order: ConnectOrder, client: Placement): Promise<void> {
  const base = order.urls[client.server]!;
  return new Promise<void>((resolve, reject) => {
    let ready = false;
    let ended = false;
    const succeed = () => {
      ready = true;
      clearTimeout(timer);
      resolve();
    };
    const fail = (err: Error) => {
      if (ended) return;
      ended = true;
      clearTimeout(timer);
      if (ready) {
        if (!closing) closed++;
        return;
      }
      connection.close();
      reject(err);
    };
    const timer = setTimeout(
      () => fail(new Error("timed out following the channel")),
      CONNECT_TIMEOUT_MS,
    );
    const connection =
      order.kind === "gavel-sse"
        ? openSse(`${base}/sse/lots/${client.lotId}`, client, succeed, fail)
        : openWebSocket(order, base, client, () => ready, succeed, fail);
    sockets.push(connection);
  });
}

/** A WebSocket client of the kind's protocol, following lot:<id>. */
function openWebSocket(
  order: ConnectOrder,
  base: string,
  { lotId, sampled, localAddress }: Placement,
  isReady: () => boolean,
  succeed: () => void,
  fail: (err: Error) => void,
): { close(): void } {
  const ws = base.replace(/^http/, "ws");
  const channel = `lot:${lotId}`;
  const onClose = (reason: string) => fail(new Error(reason));
  const open = (path: string, protocols: string[], handlers: TextSocketHandlers) =>
    openTextSocket(order.implementation, `${ws}${path}`, protocols, handlers, localAddress);
  if (order.kind === "gavel-ws") {
    const socket = open("/ws", ["gavel.v1"], {
      onOpen: () => socket.send(JSON.stringify({ v: 1, type: "subscribe", id: "1", channel })),
      onText(data) {
        if (isReady()) return received(data, sampled);
        if (data.includes('"type":"subscribed"')) succeed();
        else if (data.includes('"type":"error"')) fail(new Error(data.toString()));
      },
      onClose,
    });
    return socket;
  }
  if (order.kind === "socketio") {
    // Engine.IO v4 over WebSocket: "0{...}" opens, "40" joins the main namespace, "2"
    // pings (answered "3"), "42[...]" is an event, "43<id>[...]" an ack.
    const socket = open("/socket.io/?EIO=4&transport=websocket", [], {
      onOpen: () => undefined,
      onText(data) {
        if (data.length === 1 && data[0] === 50 /* "2" */) return socket.send("3");
        if (isReady()) return received(data, sampled);
        const text = data.toString();
        if (text.startsWith("0")) socket.send("40");
        else if (text.startsWith("40")) socket.send(`421${JSON.stringify(["subscribe", channel])}`);
        else if (text.startsWith("431")) succeed();
        else if (text.startsWith("44")) fail(new Error(text));
      },
      onClose,
    });
    return socket;
  }
  return open(`/lots/${lotId}`, [], {
    onOpen: succeed,
    onText: (data) => received(data, sampled),
    onClose,
  });
}

/** An SSE stream read raw, record by record: events counted by their `event:` lines. */
function openSse(
  url: string,
  { sampled, localAddress }: Placement,
  succeed: () => void,
  fail: (err: Error) => void,
): { close(): void } {
  const options = { agent: false, localAddress, headers: { accept: "text/event-stream" } };
  const req = http.get(url, options, (res) => {
    if (res.statusCode !== 200) {
      fail(new Error(`HTTP ${res.statusCode}`));
      res.resume();
      return;
    }
    let ready = false;
    let carry: Buffer | undefined;
    res.on("data", (chunk: Buffer) => {
      const data = carry ? Buffer.concat([carry, chunk]) : chunk;
      // Only whole records: a chunk may end inside one, the rest comes with the next.
      const end = data.lastIndexOf("\n\n");
      carry = end === -1 ? data : end + 2 < data.length ? data.subarray(end + 2) : undefined;
      if (end === -1) return;
      const records = data.subarray(0, end + 2);
      if (ready) return received(records, sampled, SSE_EVENT);
      if (!records.includes(": live after")) return;
      ready = true;
      succeed();
    });
    res.on("close", () => fail(new Error("stream ended")));
  });
  req.on("error", (err) => fail(err));
  return { close: () => req.destroy() };
}
