import net from "node:net";
import { once } from "node:events";

/**
 * "first" tries the backends in order: clients move only when the first one dies, which
 * makes failover tests deterministic. "round-robin" starts from the next one in turn,
 * spreading keep-alive connections as kube-proxy does.
 */
export type BalancingPolicy = "first" | "round-robin";

export interface TcpBalancer {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/**
 * A TCP load balancer for tests, in front of replicas as a Kubernetes Service is: each new
 * connection goes to a backend (a port on 127.0.0.1) that accepts it, and lives and dies
 * with it. Nothing sticky: that is the point. A replica restarted on its port is used again.
 */
export async function startTcpBalancer(
  backendPorts: number[],
  policy: BalancingPolicy = "round-robin",
): Promise<TcpBalancer> {
  const sockets = new Set<net.Socket>();
  let turn = 0;
  const server = net.createServer((client) => {
    sockets.add(client);
    client.on("close", () => sockets.delete(client));
    client.on("error", () => client.destroy());
    client.pause();
    const start = policy === "first" ? 0 : turn++ % backendPorts.length;
    const order = [...backendPorts.slice(start), ...backendPorts.slice(0, start)];
    void connectFirst(order).then(
      (backend) => {
        sockets.add(backend);
        backend.on("close", () => sockets.delete(backend));
        client.pipe(backend).pipe(client);
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
    port,
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
