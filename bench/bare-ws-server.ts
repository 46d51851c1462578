/**
 * The floor of bench/push-fanout.bench.ts: a `ws` server subscribed to one core NATS
 * subject, writing each message as it is to every open socket. No protocol, no
 * subscriptions, no backpressure, no persistence, no heartbeats: what fan-out costs when
 * it does nothing else.
 *
 *   node bare-ws-server.ts <port> <nats url> <subject>
 *
 * Prints "ready" on stdout once it listens.
 */
import { connect } from "@nats-io/transport-node";
import { WebSocketServer } from "ws";

const [port, natsUrl, subject] = process.argv.slice(2);
const nc = await connect({ servers: natsUrl });
const wss = new WebSocketServer({ host: "127.0.0.1", port: Number(port) });

nc.subscribe(subject!, {
  callback: (err, message) => {
    if (err) return;
    // One copy out of the NATS read buffer, then the same bytes to every socket.
    const frame = Buffer.from(message.data);
    for (const ws of wss.clients) ws.send(frame, { binary: false });
  },
});

wss.on("listening", () => process.stdout.write("ready\n"));
process.once("SIGTERM", () => {
  wss.close();
  void nc.close().finally(() => process.exit(0));
});
