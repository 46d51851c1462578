import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { trace } from "@opentelemetry/api";
import { WebSocketServer, type WebSocket } from "ws";
import { InvalidTokenError } from "@gavel/auth";
import { answerHealth } from "@gavel/service";
import { endRequestSpanAtStreamStart, setHttpRoute, traceRequests } from "@gavel/telemetry";
import { parseChannel } from "./feeds/channels.ts";
import { followedChannel } from "./feeds/followed-channels.ts";
import { resumeAttributes } from "./tracing/message-tracing.ts";
import { Close, SUBPROTOCOL } from "./ws/protocol.ts";
import { AuthError, bearer, holderOf, identify } from "./access/request-identity.ts";
import { SseStream, type SseStreams } from "./sse/sse-stream.ts";
import { connectionTurn } from "./sse/stream-socket.ts";
import { lotOfPresencePath, lotOfStreamPath, PUSH_PATHS } from "@gavel/config/push-paths";
import { ExpiryWheel } from "./expiry-wheel.ts";
import { Ticker } from "./ticker.ts";
import type { TicketBook } from "./access/tickets.ts";
import { WsSession, type SessionDeps, type SocketIdentity } from "./ws/ws-session.ts";

export interface PushServerDeps extends SessionDeps {
  tickets: TicketBook;
  /** Browser origins allowed to connect; requests without an Origin are not browsers. */
  allowedOrigins: string[];
  maxMessageBytes: number;
  isReady: () => boolean;
}

export interface PushServer {
  server: http.Server;
  /** Open WebSocket sessions and SSE streams on this replica. */
  connections(): { websocket: number; sse: number };
  /**
   * Stops taking connections, closes every socket with 1012 and ends every stream, so
   * clients reconnect to another replica and resume; waits up to graceMs for them to go.
   */
  drain(graceMs: number): Promise<void>;
}

/** The push gateway's HTTP server: /ws upgrades, /sse/... streams, tickets and presence. */
export function createPushServer(deps: PushServerDeps): PushServer {
  // The open sessions and streams: what their heartbeats tick, and what they share.
  const pings = new Ticker<WsSession>(deps.limits.pingMs);
  const heartbeats = new Ticker<SseStream>(deps.limits.sseHeartbeatMs);
  const expiries = new ExpiryWheel();
  const sessionDeps = { ...deps, expiries, onClosed: (s: WsSession) => pings.delete(s) };
  const sse: SseStreams = {
    hub: deps.hub,
    logger: deps.logger,
    sendBufferBytes: deps.limits.sendBufferBytes,
    expiries,
    onClosed(stream) {
      heartbeats.delete(stream);
      if (stream.channel.kind === "lot") deps.presence.lotUnwatched(stream.channel.id);
      if (stream.userId) deps.presence.userDisconnected(stream.userId);
    },
  };
  let draining = false;

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: deps.maxMessageBytes, // larger frames close the socket with 1009
    handleProtocols: (offered) => (offered.has(SUBPROTOCOL) ? SUBPROTOCOL : false),
    // A compressor per socket costs more memory than it saves here; and with none, event
    // frames can be written past `ws` (ws-outbox.ts).
    perMessageDeflate: false,
    clientTracking: false, // the pings ticker holds the open sessions
  });

  const server = http.createServer({ requestTimeout: 0 }, (req, res) => {
    if (answerHealth(req, res, () => !draining && deps.isReady())) return;
    tracedRoute(req, res);
  });
  const tracedRoute = traceRequests((req, res) => {
    void route(req, res).catch((err: unknown) => {
      // The path only: a stream's query carries its ticket, a credential.
      deps.logger.error({ err, path: req.url?.split("?")[0] }, "request failed");
      if (!res.headersSent) problem(res, 500, "an internal error occurred");
      else res.end();
    });
  });
  server.on("upgrade", (req, socket, head) => {
    void upgrade(req, socket, head).catch((err: unknown) => {
      deps.logger.error({ err }, "upgrade failed");
      refuseUpgrade(socket, 500, "an internal error occurred");
    });
  });

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://push");
    const origin = req.headers.origin;
    if (origin !== undefined) {
      if (!deps.allowedOrigins.includes(origin)) {
        return problem(res, 403, `origin ${origin} is not allowed`);
      }
      res.setHeader("access-control-allow-origin", origin);
      res.setHeader("vary", "Origin");
    }
    if (req.method === "OPTIONS") {
      res.writeHead(204, {
        "access-control-allow-methods": "GET, POST",
        "access-control-allow-headers": "Authorization, Content-Type, Last-Event-ID",
        "access-control-max-age": "600",
      });
      res.end();
      return;
    }
    const path = url.pathname;
    if (path === PUSH_PATHS.tickets) {
      setHttpRoute(PUSH_PATHS.tickets);
      if (allow(req, res, "POST")) await issueTicket(req, res);
      return;
    }
    const lot = lotOfStreamPath(path);
    if (lot !== undefined || path === PUSH_PATHS.notifications) {
      setHttpRoute(lot !== undefined ? PUSH_PATHS.templates.lotStream : PUSH_PATHS.notifications);
      if (allow(req, res, "GET"))
        await openStream(req, res, url, lot !== undefined ? `lot:${lot}` : "user");
      return;
    }
    const viewed = lotOfPresencePath(path);
    if (viewed !== undefined) {
      setHttpRoute(PUSH_PATHS.templates.lotPresence);
      if (!allow(req, res, "GET")) return;
      const channel = parseChannel(`lot:${viewed}`);
      if (!channel) return problem(res, 404, "no such lot");
      const count = await deps.presence.viewers(channel.id);
      return json(res, 200, { lotId: channel.id, viewers: count });
    }
    if (path === PUSH_PATHS.websocket)
      return problem(res, 426, "this is a WebSocket endpoint", { upgrade: "websocket" });
    problem(res, 404, `nothing at ${path}; see docs/push-protocol.md`);
  }

  async function issueTicket(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.headers.authorization === undefined) {
      return problem(res, 401, "send your access token as Authorization: Bearer <token>");
    }
    try {
      const caller = await deps.verifier.verify(bearer(req.headers.authorization));
      const sessionExpiresAtMs = caller.expiresAtMs;
      const { ticket, expiresAt } = deps.tickets.issue({
        userId: caller.userId,
        sessionExpiresAtMs,
      });
      json(res, 201, {
        ticket,
        expiresAt: expiresAt.toISOString(),
        sessionExpiresAt: new Date(sessionExpiresAtMs).toISOString(),
      });
    } catch (err) {
      if (err instanceof AuthError || err instanceof InvalidTokenError) {
        return problem(res, 401, err.message);
      }
      throw err;
    }
  }

  async function openStream(req: IncomingMessage, res: ServerResponse, url: URL, name: string) {
    if (draining) return problem(res, 503, "this replica is shutting down; reconnect");
    let identity: SocketIdentity;
    try {
      identity = await identify(req, url, deps.verifier, deps.tickets);
    } catch (err) {
      if (err instanceof AuthError) return problem(res, 401, err.message);
      throw err;
    }
    const holder = holderOf(identity);
    const userId = holder?.userId;
    if (name === "user") {
      if (!userId)
        return problem(res, 401, "sign in: send a token or a ticket for your notifications");
      name = `user:${userId}`;
    }
    const channel = followedChannel(name);
    if (!channel) return problem(res, 404, `no channel ${name}`);
    const resumeAt = lastEventId(req, url);
    if (resumeAt === "invalid") {
      return problem(
        res,
        400,
        "Last-Event-ID (or ?after=) must be the id of an event you received: a non-negative integer",
      );
    }
    // Pipelined behind another request, the stream waits for that one's answer.
    if (!(await connectionTurn(req, res))) return;
    const expiresAtMs = holder?.sessionExpiresAtMs;
    const stream = new SseStream(req, res, channel, resumeAt ?? 0, { userId, expiresAtMs }, sse);
    heartbeats.add(stream);
    if (channel.kind === "lot") deps.presence.lotWatched(channel.id);
    if (userId) deps.presence.userConnected(userId);
    const replayed = await stream.start(resumeAt !== undefined);
    // The request's span ends once the stream is live: its events have their own spans.
    trace.getActiveSpan()?.setAttributes(resumeAttributes(resumeAt !== undefined, replayed));
    endRequestSpanAtStreamStart();
  }

  async function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = new URL(req.url ?? "/", "http://push");
    if (url.pathname !== PUSH_PATHS.websocket)
      return refuseUpgrade(socket, 404, `WebSocket is at ${PUSH_PATHS.websocket}`);
    if (draining) return refuseUpgrade(socket, 503, "this replica is shutting down; reconnect");
    const origin = req.headers.origin;
    if (origin !== undefined && !deps.allowedOrigins.includes(origin)) {
      return refuseUpgrade(socket, 403, `origin ${origin} is not allowed`);
    }
    let identity: SocketIdentity;
    try {
      identity = await identify(req, url, deps.verifier, deps.tickets);
    } catch (err) {
      if (err instanceof AuthError) return refuseUpgrade(socket, 401, err.message);
      throw err;
    }
    wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      pings.add(new WsSession(ws, socket, identity, sessionDeps));
    });
  }

  return {
    server,
    connections: () => ({ websocket: pings.size, sse: heartbeats.size }),
    async drain(graceMs) {
      draining = true;
      server.close();
      for (const session of pings)
        session.close(Close.restart, "server restart: reconnect and resume");
      for (const stream of heartbeats) stream.end();
      const deadline = Date.now() + graceMs;
      while (pings.size + heartbeats.size > 0 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      for (const session of pings) session.terminate();
      for (const stream of heartbeats) stream.terminate();
      server.closeAllConnections();
      pings.stop();
      heartbeats.stop();
      expiries.stop();
    },
  };
}

/** Whether the request uses the path's one method; otherwise answers 405 with Allow. */
function allow(req: IncomingMessage, res: ServerResponse, method: "GET" | "POST"): boolean {
  if (req.method === method) return true;
  problem(res, 405, `${req.method} is not allowed here; use ${method}`, { allow: method });
  return false;
}

/** Where a stream resumes: Last-Event-ID (EventSource's reconnect) or ?after= (first open). */
function lastEventId(req: IncomingMessage, url: URL): number | undefined | "invalid" {
  const header = req.headers["last-event-id"];
  const value =
    typeof header === "string" && header !== "" ? header : url.searchParams.get("after");
  if (value === null || value === undefined) return undefined;
  return /^\d{1,15}$/.test(value) ? Number(value) : "invalid";
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" });
  res.end(JSON.stringify(body));
}

function problem(
  res: ServerResponse,
  status: number,
  detail: string,
  extra: Record<string, string> = {},
) {
  res.writeHead(status, {
    "content-type": "application/problem+json",
    "cache-control": "no-store",
    ...extra,
  });
  res.end(
    JSON.stringify({ type: "about:blank", title: http.STATUS_CODES[status], status, detail }),
  );
}

/** Answers an upgrade that will not happen with a plain HTTP response, then hangs up. */
function refuseUpgrade(socket: Duplex, status: number, detail: string): void {
  const body = JSON.stringify({
    type: "about:blank",
    title: http.STATUS_CODES[status],
    status,
    detail,
  });
  socket.end(
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\n` +
      "content-type: application/problem+json\r\n" +
      `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}
