import http from "node:http";
import http2 from "node:http2";
import type { AddressInfo } from "node:net";
import type { Express } from "express";
import type { Logger } from "@gavel/logging";

/**
 * HTTP/2 for the edge. Express 5 cannot run on Node's HTTP/2 compatibility API (it
 * swaps request prototypes for http.IncomingMessage), so this TLS listener negotiates
 * ALPN: HTTP/1.1 connections go straight to the Express app, HTTP/2 streams are relayed
 * over loopback keep-alive HTTP/1.1 to the app's own listener, the way an ingress would.
 * Browsers only speak HTTP/2 over TLS, hence the certificate.
 */
export interface Http2FrontOptions {
  app: Express;
  /** Where the app's HTTP/1.1 listener is, for relayed HTTP/2 streams. */
  appPort: number;
  host: string;
  port: number;
  key: Buffer;
  cert: Buffer;
  logger: Logger;
}

/** Hop-by-hop headers (RFC 9110 7.6.1) and HTTP/2 pseudo-headers never cross a relay. */
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "transfer-encoding",
  "upgrade",
  "te",
  "trailer",
  "http2-settings",
  "host",
]);

export interface Http2Front {
  /** Stops accepting, sends GOAWAY so open streams finish, and resolves once closed. */
  close(graceMs: number): Promise<void>;
}

export async function startHttp2Front(options: Http2FrontOptions): Promise<Http2Front> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const sessions = new Set<http2.ServerHttp2Session>();
  const server = http2.createSecureServer(
    // noDelay: without it the HTTP/1.1 connections handed to Express keep Nagle's
    // algorithm, and each response waits ~40 ms for the client's delayed ACK.
    { key: options.key, cert: options.cert, allowHTTP1: true, noDelay: true },
    (req, res) => {
      if (req.httpVersionMajor !== 2) {
        options.app(req as unknown as http.IncomingMessage, res as unknown as http.ServerResponse);
        return;
      }
      relay(req, res, options.appPort, agent, options.logger);
    },
  );
  server.on("session", (session) => {
    sessions.add(session);
    session.once("close", () => sessions.delete(session));
  });
  await new Promise<void>((resolve) => server.listen(options.port, options.host, resolve));
  const { port } = server.address() as AddressInfo;
  options.logger.info(
    { url: `https://${options.host}:${port}/v1`, protocols: ["h2", "http/1.1"] },
    "serving TLS",
  );
  return {
    async close(graceMs) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const session of sessions) session.close();
      const timer = setTimeout(() => sessions.forEach((s) => s.destroy()), graceMs);
      await closed;
      clearTimeout(timer);
      agent.destroy();
    },
  };
}

function relay(
  req: http2.Http2ServerRequest,
  res: http2.Http2ServerResponse,
  appPort: number,
  agent: http.Agent,
  logger: Logger,
): void {
  const headers: http.OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (!name.startsWith(":") && !HOP_BY_HOP.has(name) && value !== undefined)
      headers[name] = value;
  }
  headers.host = req.authority;
  const client = req.socket.remoteAddress ?? "";
  headers["x-forwarded-for"] = req.headers["x-forwarded-for"]
    ? `${req.headers["x-forwarded-for"]}, ${client}`
    : client;
  headers["x-forwarded-proto"] = "https";

  const upstream = http.request(
    { host: "127.0.0.1", port: appPort, method: req.method, path: req.url, headers, agent },
    (answer) => {
      const out: http2.OutgoingHttpHeaders = {};
      for (const [name, value] of Object.entries(answer.headers)) {
        if (!HOP_BY_HOP.has(name) && value !== undefined) out[name] = value;
      }
      res.writeHead(answer.statusCode ?? 502, out);
      answer.pipe(res);
    },
  );
  upstream.on("error", (err) => {
    logger.warn({ err }, "relaying an HTTP/2 stream failed");
    if (!res.headersSent) {
      res.writeHead(502, {
        "content-type": "application/problem+json",
        "cache-control": "no-store",
      });
      res.end(
        JSON.stringify({
          type: "https://gavel.dev/problems/bad-gateway",
          title: "Bad gateway",
          status: 502,
          detail: "the edge could not relay this request",
          instance: req.url,
        }),
      );
    } else {
      res.stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR);
    }
  });
  res.on("close", () => {
    if (!res.writableFinished) upstream.destroy(); // the client went away mid-response
  });
  req.pipe(upstream);
}
