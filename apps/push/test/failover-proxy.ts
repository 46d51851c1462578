import net from "node:net";
import { once } from "node:events";

/**
 * A TCP load balancer for tests: each new connection goes to the first backend that
 * accepts it, so when a replica dies, reconnecting clients land on the next one, as
 * behind a Kubernetes Service. Nothing sticky: that is the point.
 */
export async function startFailoverProxy(backendPorts: number[]) {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    sockets.add(client);
    client.on("close", () => sockets.delete(client));
    client.pause();
    void connectFirst(backendPorts).then(
      (backend) => {
        sockets.add(backend);
        backend.on("close", () => sockets.delete(backend));
        client.pipe(backend).pipe(client);
        client.on("error", () => backend.destroy());
        backend.on("error", () => client.destroy());
        client.on("close", () => backend.destroy());
        backend.on("close", () => client.destroy());
        client.resume();
      },
      () => client.destroy(),
    );
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

async function connectFirst(ports: number[]): Promise<net.Socket> {
  for (const port of ports) {
    const socket = net.connect(port, "127.0.0.1");
    try {
      await once(socket, "connect");
      return socket;
    } catch {
      socket.destroy();
    }
  }
  throw new Error("no backend accepted the connection");
}
