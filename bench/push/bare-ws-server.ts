/**
 * The floor of push-fanout.bench.ts: a `ws` server writing each message of core NATS subject
 * `<prefix>.<lot id>` as it is to every socket on `/lots/<lot id>`. No protocol, backpressure,
 * persistence or heartbeats: what fan-out costs when it does nothing else.
 *
 *   node bare-ws-server.ts <port> <nats url> <subject prefix>   # prints "ready" once it listens
 */
import { connect } from "@nats-io/transport-node";
import { WebSocketServer, type WebSocket } from "ws";

const [port, natsUrl, prefix] = process.argv.slice(2);
const nc = await connect({ servers: natsUrl });
const wss = new WebSocketServer({ host: "127.0.0.1", port: Number(port) });
const socketsByLot = new Map<string, Set<WebSocket>>();

wss.on("connection", (ws, req) => {
  const lotId = /^\/lots\/([^/?]+)/.exec(req.url ?? "")?.[1];
  if (!lotId) return ws.close(1008, "connect to /lots/<lot id>");
  const sockets = socketsByLot.get(lotId) ?? new Set<WebSocket>();
  socketsByLot.set(lotId, sockets.add(ws));
  ws.once("close", () => sockets.delete(ws));
});

nc.subscribe(`${prefix}.*`, {
  callback: (err, message) => {
    if (err) return;
    const sockets = socketsByLot.get(message.subject.slice(prefix!.length + 1));
    if (!sockets) return;
    // One copy out of the NATS read buffer, then the same bytes to every socket.
    const frame = Buffer.from(message.data);
    for (const ws of sockets) ws.send(frame, { binary: false });
  },
});

wss.on("listening", () => process.stdout.write("ready\n"));
process.once("SIGTERM", () => {
  wss.close();
  void nc.close().finally(() => process.exit(0));
});
