import http from "node:http";
import http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { Code, ConnectError, type ConnectRouter, type Interceptor } from "@connectrpc/connect";
import type { Logger } from "@gavel/logging";
import { answerHealth } from "./health.ts";
import {
  isUnparsable,
  nodeHandlerRefusingMalformed,
  requestCompression,
} from "./malformed-requests.ts";

export interface ConnectServerOptions {
  logger: Logger;
  host: string;
  /** Connect, gRPC and gRPC-Web over cleartext HTTP/2 (h2c); 0 picks a free port. */
  port: number;
  /** /healthz and /readyz over HTTP/1.1, for probes; 0 picks a free port. */
  adminPort: number;
  routes: (router: ConnectRouter) => void;
  interceptors?: Interceptor[];
  /** /readyz answers 503 while this returns false (for example while NATS is away). */
  isReady?: () => boolean;
  /** Largest request message accepted, after decompression (a zip bomb stops here). */
  readMaxBytes?: number;
}

export interface ConnectServer {
  rpcUrl: string;
  adminUrl: string;
  /**
   * Stops accepting, aborts long streams with UNAVAILABLE so clients reconnect
   * elsewhere, lets in-flight unary calls finish for up to graceMs, then closes.
   */
  close(graceMs: number): Promise<void>;
}

export async function startConnectServer(options: ConnectServerOptions): Promise<ConnectServer> {
  const { logger } = options;
  const shutdown = new AbortController();
  let stopping = false;

  const handler = nodeHandlerRefusingMalformed(
    {
      routes: options.routes,
      acceptCompression: requestCompression,
      interceptors: [logUnexpectedErrors(logger), ...(options.interceptors ?? [])],
      readMaxBytes: options.readMaxBytes ?? 1024 * 1024,
      writeMaxBytes: 16 * 1024 * 1024,
      maxTimeoutMs: 60_000,
      shutdownSignal: shutdown.signal,
    },
    logger,
  );
  const rpc = http2.createServer({ maxSessionMemory: 64 }, handler);
  const sessions = new Set<http2.ServerHttp2Session>();
  rpc.on("session", (session) => {
    sessions.add(session);
    session.once("close", () => sessions.delete(session));
  });
  rpc.on("sessionError", (err) => logger.debug({ err }, "http2 session error"));

  const isReady = () => !stopping && (options.isReady?.() ?? true);
  const admin = http.createServer((req, res) => {
    if (!answerHealth(req, res, isReady)) {
      res
        .writeHead(404, { "content-type": "text/plain", "cache-control": "no-store" })
        .end("not found");
    }
  });

  await listen(rpc, options.port, options.host);
  await listen(admin, options.adminPort, options.host);
  const rpcUrl = urlOf(rpc, options.host);
  const adminUrl = urlOf(admin, options.host);
  logger.info({ rpc_url: rpcUrl, admin_url: adminUrl }, "serving");

  return {
    rpcUrl,
    adminUrl,
    async close(graceMs) {
      stopping = true;
      shutdown.abort(
        new ConnectError("server is shutting down, retry on another replica", Code.Unavailable),
      );
      const closed = new Promise<void>((resolve) => rpc.close(() => resolve()));
      for (const session of sessions) session.close(); // GOAWAY: finish open streams, take no new ones
      const timer = setTimeout(() => {
        logger.warn(
          { sessions: sessions.size },
          "grace period over, closing remaining connections",
        );
        for (const session of sessions) session.destroy();
      }, graceMs);
      await closed;
      clearTimeout(timer);
      await new Promise<void>((resolve) => admin.close(() => resolve()));
      admin.closeAllConnections();
    },
  };
}

/**
 * Logs every call that fails with an error the service's error table did not map:
 * clients see a bare INTERNAL, operators need the stack.
 */
function logUnexpectedErrors(logger: Logger): Interceptor {
  return (next) => async (req) => {
    try {
      return await next(req);
    } catch (err) {
      const mapped =
        err instanceof ConnectError && err.code !== Code.Internal && err.code !== Code.Unknown;
      // A stream's message that does not parse fails here; it leaves as INVALID_ARGUMENT.
      if (!mapped && !isUnparsable(err))
        logger.error({ err, procedure: req.url }, "call failed unexpectedly");
      throw err;
    }
  };
}

function listen(
  server: http.Server | http2.Http2Server,
  port: number,
  host: string,
): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
}

function urlOf(server: http.Server | http2.Http2Server, host: string): string {
  const { port } = server.address() as AddressInfo;
  const shown = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host;
  return `http://${shown}:${port}`;
}
