/**
 * The Socket.IO side of push-fanout.bench.ts: a Socket.IO 4 server with the Redis adapter. A
 * client emits `subscribe` with a room (acknowledged) and joins it; the bench broadcasts to
 * the room with @socket.io/redis-emitter, which reaches every node through Redis.
 *
 *   node socketio-server.ts <port> <redis url>     # prints "ready" once it listens
 */
import http from "node:http";
import { createAdapter } from "@socket.io/redis-adapter";
import { createClient } from "redis";
import { Server } from "socket.io";

const [port, redisUrl] = process.argv.slice(2);
const pubClient = createClient({ url: redisUrl });
const subClient = pubClient.duplicate();
await Promise.all([pubClient.connect(), subClient.connect()]);

const httpServer = http.createServer();
const io = new Server(httpServer, {
  serveClient: false,
  // The bench's clients open the WebSocket transport directly, as Socket.IO's own client
  // does when told `transports: ["websocket"]`.
  transports: ["websocket"],
  adapter: createAdapter(pubClient, subClient),
});
io.on("connection", (socket) => {
  socket.on("subscribe", (room: unknown, ack: unknown) => {
    if (typeof room === "string") void socket.join(room);
    if (typeof ack === "function") (ack as () => void)();
  });
});

httpServer.listen(Number(port), "127.0.0.1", () => process.stdout.write("ready\n"));
process.once("SIGTERM", () => {
  void io.close();
  process.exit(0);
});
