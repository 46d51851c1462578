/**
 * The push table's subscribers, one per protocol (WebSocket /ws, SSE /sse/lots/<id>,
 * bidding's WatchLot over Connect or gRPC), each following one lot and reporting the
 * bench's probe events (bids whose id is `probe-<n>`) as they arrive.
 */
import http from "node:http";
import { createClient } from "@connectrpc/connect";
import { BiddingService } from "@gavel/proto/bidding/v1/bidding";
import { openRpcConnection, type RpcProtocol } from "./rpc-transports.ts";
import { openTextSocket } from "../shared/text-socket.ts";

export interface PushClient {
  /** Resolves once the client follows the lot (for a stream: once it was opened). */
  ready: Promise<void>;
  close(): void;
}

/** Called with each probe's number as it arrives. */
export type OnProbe = (probe: number) => void;

export type PushKind = "websocket" | "sse" | Exclude<RpcProtocol, "grpc-web">;

const PROBE = /"bidId":"probe-(\d+)"/g;

/** Reports every probe a chunk of JSON text names. */
function probesIn(text: string, onProbe: OnProbe): void {
  for (const match of text.matchAll(PROBE)) onProbe(Number(match[1]));
}

export function probeBidId(n: number): string {
  return `probe-${n}`;
}

export function openWebSocketClient(baseUrl: string, lotId: string, onProbe: OnProbe) {
  const channel = `lot:${lotId}`;
  let subscribed = false;
  let settle: { resolve(): void; reject(err: Error): void };
  const ready = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
  const socket = openTextSocket("ws", `${baseUrl.replace(/^http/, "ws")}/ws`, ["gavel.v1"], {
    onOpen: () => socket.send(JSON.stringify({ v: 1, type: "subscribe", id: "1", channel })),
    onText(payload) {
      const text = payload.toString();
      if (subscribed) return probesIn(text, onProbe);
      if (text.includes('"type":"subscribed"')) {
        subscribed = true;
        settle.resolve();
      } else if (text.includes('"type":"error"')) settle.reject(new Error(text));
    },
    onClose: (reason) => settle.reject(new Error(`WebSocket: ${reason}`)),
  });
  return { ready, close: () => socket.close() };
}

export function openSseClient(baseUrl: string, lotId: string, onProbe: OnProbe): PushClient {
  let settle: { resolve(): void; reject(err: Error): void };
  const ready = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
  const req = http.get(
    `${baseUrl}/sse/lots/${lotId}`,
    { agent: false, headers: { accept: "text/event-stream" } },
    (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        return settle.reject(new Error(`SSE: HTTP ${res.statusCode}`));
      }
      let live = false;
      let carry = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        // Whole records only: a chunk may end inside one.
        const text = carry + chunk;
        const end = text.lastIndexOf("\n\n");
        carry = end === -1 ? text : text.slice(end + 2);
        if (end === -1) return;
        const records = text.slice(0, end + 2);
        if (live) return probesIn(records, onProbe);
        if (records.includes(": live after")) {
          live = true;
          settle.resolve();
        }
      });
      res.on("close", () => settle.reject(new Error("SSE: the stream ended")));
    },
  );
  req.on("error", (err) => settle.reject(err));
  return { ready, close: () => req.destroy() };
}

/** WatchLot from `afterSequence` on; the stream runs until close(). */
export function openWatchClient(
  protocol: RpcProtocol,
  baseUrl: string,
  lotId: string,
  afterSequence: bigint,
  onProbe: OnProbe,
): PushClient {
  const connection = openRpcConnection(protocol, baseUrl);
  const client = createClient(BiddingService, connection.transport);
  const abort = new AbortController();
  const stream = client.watchLot({ lotId, afterSequence }, { signal: abort.signal });
  void (async () => {
    try {
      for await (const { event } of stream) {
        if (event?.kind.case !== "bidAccepted") continue;
        const match = /^probe-(\d+)$/.exec(event.kind.value.bidId);
        if (match) onProbe(Number(match[1]));
      }
    } catch (err) {
      if (!abort.signal.aborted) process.stderr.write(`  ${protocol} stream ended: ${err}\n`);
    }
  })();
  return {
    ready: connection.connected(),
    close() {
      abort.abort();
      connection.close();
    },
  };
}

export function openPushClient(
  kind: PushKind,
  urls: { push: string; bidding: string },
  lotId: string,
  afterSequence: bigint,
  onProbe: OnProbe,
): PushClient {
  if (kind === "websocket") return openWebSocketClient(urls.push, lotId, onProbe);
  if (kind === "sse") return openSseClient(urls.push, lotId, onProbe);
  return openWatchClient(kind, urls.bidding, lotId, afterSequence, onProbe);
}
