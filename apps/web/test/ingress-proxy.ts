import { once } from "node:events";
import http from "node:http";
import net from "node:net";

/**
 * Routes by path prefix the way the chart's Ingress does (/graphql to the BFF; /ws, /sse,
 * /tickets to push; the rest to the edge), so the page can be tested on one origin with
 * relative URLs. Plain HTTP is forwarded as a stream (SSE included); upgrades as raw TCP.
 */
export async function startIngress(port: number, routes: Array<[prefix: string, url: string]>) {
  const targetOf = (path = "/") => {
    const route = routes.find(([prefix]) => prefix === "/" || path.startsWith(prefix));
    return new URL(route![1]);
  };
  const server = http.createServer((req, res) => {
    const target = targetOf(req.url);
    const upstream = http.request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on("error", () => res.destroy());
    res.on("close", () => upstream.destroy());
    req.pipe(upstream);
  });
  server.on("upgrade", (req, socket, head) => {
    const target = targetOf(req.url);
    const upstream = net.connect(Number(target.port), target.hostname, () => {
      const lines = [`${req.method} ${req.url} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) {
        lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      }
      upstream.write(`${lines.join("\r\n")}\r\n\r\n`);
      upstream.write(head);
      socket.pipe(upstream).pipe(socket);
    });
    upstream.on("error", () => socket.destroy());
    socket.on("error", () => upstream.destroy());
    socket.on("close", () => upstream.destroy());
  });
  server.listen(port, "127.0.0.1");
  await once(server, "listening");
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
