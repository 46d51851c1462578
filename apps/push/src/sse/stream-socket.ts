import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from "node:http";
import { Socket } from "node:net";

/** node:http's parser pool, which it exposes as its legacy `_http_common` module. */
interface HttpCommon {
  freeParser(parser: unknown, req: IncomingMessage, socket: Socket): void;
}
const { freeParser } = process.getBuiltinModule("_http_common") as HttpCommon;

/** The events node:http listens to on a connection's socket, dropped as for an upgrade. */
const HTTP_SOCKET_EVENTS = [
  "data",
  "end",
  "close",
  "drain",
  "error",
  "timeout",
  "resume",
  "pause",
] as const;

/** What the stream listens to on its socket from then on. */
export interface StreamListeners {
  close(this: Socket): void;
  error(this: Socket, err: Error): void;
}

/** An event stream's connection, node:http's no longer. */
export interface StreamSocket {
  socket: Socket;
  /** Whether the body is chunk-framed (HTTP/1.1); an HTTP/1.0 body ends with the connection. */
  chunked: boolean;
}

/**
 * Sends a 200 head with `headers` as node:http writes any, then takes the socket from
 * node:http as it does for an upgrade (lib/_http_server.js, onParserExecuteCommon), letting
 * the response, request and parser go (docs/architecture.md#what-an-idle-connection-holds).
 * The body is the caller's; the connection carries no other request. `listeners` are added
 * before node:http's are removed, so the socket's listener table does not double in size.
 */
export function takeStreamSocket(
  req: IncomingMessage,
  res: ServerResponse,
  headers: OutgoingHttpHeaders,
  listeners: StreamListeners,
): StreamSocket {
  const socket = res.socket as (Socket & { parser?: unknown }) | null;
  if (!socket) throw new Error("a response still queued on its connection: await connectionTurn");
  res.writeHead(200, headers);
  res.flushHeaders();
  for (const event of HTTP_SOCKET_EVENTS) {
    const theirs = socket.listeners(event);
    if (event === "close" || event === "error") socket.on(event, listeners[event]);
    for (const listener of theirs) socket.removeListener(event, listener as () => void);
  }
  freeParser(socket.parser, req, socket);
  // node:http wraps these to watch for readers while it parses; the wrappers restore them
  // on their next call once the parser is gone (generateSocketListenerWrapper).
  socket.on = Socket.prototype.on;
  socket.addListener = Socket.prototype.addListener;
  socket.prependListener = Socket.prototype.prependListener;
  res.detachSocket(socket);
  // Whatever else the client sends is read and dropped; its end ends the stream's side too.
  socket.allowHalfOpen = false;
  socket.resume();
  return { socket, chunked: res.chunkedEncoding };
}

/**
 * Resolves true once `res` may be written: at once, or, for a request pipelined behind
 * another on its connection, when node:http hands the connection on to it; false if the
 * connection closed first (one taken by an earlier stream is never handed on).
 */
export function connectionTurn(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  if (res.socket) return Promise.resolve(true);
  const connection = req.socket;
  if (connection.destroyed) return Promise.resolve(false);
  return new Promise((resolve) => {
    const closed = () => resolve(false);
    connection.once("close", closed);
    res.once("socket", () => {
      connection.removeListener("close", closed);
      resolve(true);
    });
  });
}

const CRLF = Buffer.from("\r\n");

/** The chunk that ends a chunk-framed body. */
export const LAST_CHUNK = Buffer.from("0\r\n\r\n");

/** `bytes` as one chunk of a chunk-framed body (RFC 9112 7.1), as res.write frames it. */
export function chunk(bytes: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${bytes.length.toString(16)}\r\n`), bytes, CRLF]);
}
