import http from "node:http";
import type { Logger } from "@gavel/logging";
import { answerHealth } from "@gavel/service";

export interface HealthServer {
  url: string;
  close(): Promise<void>;
}

/**
 * /healthz and /readyz on a plain HTTP/1.1 server: the notifier serves no API, only
 * the probes (readiness, so a rollout waits until a new replica consumes).
 */
export async function serveHealth(
  host: string,
  port: number,
  isReady: () => boolean,
  logger: Logger,
): Promise<HealthServer> {
  const server = http.createServer((req, res) => {
    if (!answerHealth(req, res, isReady))
      res.writeHead(404, { "content-type": "text/plain", "cache-control": "no-store" }).end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  const url = `http://${host}:${typeof address === "object" && address ? address.port : port}`;
  logger.info({ admin_url: url }, "serving health");
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
