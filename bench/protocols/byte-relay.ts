/**
 * A loopback TCP relay that counts what crosses it: every byte a client sends and
 * receives, TLS records, HTTP/2 frames, chunk framing and headers included. The bench
 * points one client through it to learn what a response costs on the wire, whatever the
 * protocol; measured load goes to the server directly, so the extra hop never shows in
 * requests/s or latency.
 */
import net from "node:net";
import type { AddressInfo } from "node:net";

export interface ByteCount {
  /** Client to server. */
  sent: number;
  /** Server to client. */
  received: number;
}

export interface ByteRelay {
  /** The relay's port on 127.0.0.1: use it in place of the target's. */
  port: number;
  /** Running totals over every connection through the relay. */
  count(): ByteCount;
  close(): Promise<void>;
}

export async function startByteRelay(targetPort: number): Promise<ByteRelay> {
  const totals: ByteCount = { sent: 0, received: 0 };
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, "127.0.0.1");
    for (const socket of [client, upstream]) {
      socket.setNoDelay(true);
      sockets.add(socket);
      socket.once("close", () => sockets.delete(socket));
      socket.on("error", () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.on("data", (chunk: Buffer) => (totals.sent += chunk.length));
    upstream.on("data", (chunk: Buffer) => (totals.received += chunk.length));
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    count: () => ({ ...totals }),
    close: () =>
      new Promise<void>((resolve) => {
        sockets.forEach((s) => s.destroy());
        server.close(() => resolve());
      }),
  };
}

/** What was sent and received between two counts. */
export function bytesBetween(before: ByteCount, after: ByteCount): ByteCount {
  return { sent: after.sent - before.sent, received: after.received - before.received };
}
