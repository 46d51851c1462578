/**
 * The plain HTTP clients of the protocol bench: HTTP/1.1 over a keep-alive agent (TLS for
 * an https: URL), HTTP/2 as one session with concurrent streams. Bodies are kept as received (compressed when
 * the server compressed them), so their length is what crossed the wire; `decodedBody`
 * undoes the content coding when the bench checks what a response holds.
 */
import http from "node:http";
import http2 from "node:http2";
import https from "node:https";
import { brotliDecompressSync, gunzipSync } from "node:zlib";

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** As received: still compressed if content-encoding says so. */
  body: Buffer;
}

export interface HttpRequest {
  method: "GET" | "POST";
  /** Path and query. */
  path: string;
  headers: Record<string, string>;
  body?: string;
}

/** A client of one origin; `close` ends its connections. */
export interface HttpClient {
  send(request: HttpRequest): Promise<HttpAnswer>;
  close(): void;
}

/**
 * HTTP/1.1 on keep-alive sockets, at most `maxSockets` at once (a browser opens six per
 * origin); over TLS, without ALPN, for an https: URL with a self-signed certificate.
 */
export function http1Client(baseUrl: string, maxSockets = Infinity): HttpClient {
  const tls = new URL(baseUrl).protocol === "https:";
  const agent = tls
    ? new https.Agent({ keepAlive: true, maxSockets, rejectUnauthorized: false })
    : new http.Agent({ keepAlive: true, maxSockets });
  const open = tls ? https.request : http.request;
  return {
    send: (request) =>
      new Promise((resolve, reject) => {
        const req = open(
          new URL(request.path, baseUrl),
          { method: request.method, headers: request.headers, agent },
          (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (chunk: Buffer) => chunks.push(chunk));
            res.on("end", () =>
              resolve({
                status: res.statusCode ?? 0,
                headers: res.headers,
                body: Buffer.concat(chunks),
              }),
            );
            res.on("error", reject);
          },
        );
        req.on("error", reject);
        req.end(request.body);
      }),
    close: () => agent.destroy(),
  };
}

/**
 * HTTP/2 over TLS to a server with a self-signed certificate (the edge's front, nginx), or
 * over cleartext (h2c) for an http: URL. A session the server ended (GOAWAY) is replaced
 * by a new one on the next request, as a browser would.
 */
export function http2Client(baseUrl: string): HttpClient {
  const connect = () => {
    const opened = http2.connect(baseUrl, { rejectUnauthorized: false });
    opened.on("error", () => undefined); // each stream reports its own failure
    return opened;
  };
  let session = connect();
  const current = () => (session.closed || session.destroyed ? (session = connect()) : session);
  return {
    send: (request) =>
      new Promise((resolve, reject) => {
        const stream = current().request({
          ":method": request.method,
          ":path": request.path,
          ...request.headers,
        });
        const chunks: Buffer[] = [];
        let headers: http2.IncomingHttpHeaders = {};
        stream.on("response", (h) => (headers = h));
        stream.on("data", (chunk: Buffer) => chunks.push(chunk));
        stream.on("end", () =>
          resolve({ status: Number(headers[":status"]), headers, body: Buffer.concat(chunks) }),
        );
        stream.on("error", reject);
        stream.end(request.body);
      }),
    close: () => session.destroy(),
  };
}

/** The content coding a response came with ("identity" when it has none). */
export function encodingOf(answer: HttpAnswer): string {
  const coding = answer.headers["content-encoding"];
  return typeof coding === "string" && coding !== "" ? coding : "identity";
}

/** The body with its content coding undone. */
export function decodedBody(answer: HttpAnswer): string {
  const coding = encodingOf(answer);
  if (coding === "gzip") return gunzipSync(answer.body).toString();
  if (coding === "br") return brotliDecompressSync(answer.body).toString();
  if (coding === "identity") return answer.body.toString();
  throw new Error(`unexpected content-encoding ${coding}`);
}

/** Throws unless the answer is a 200; the message shows the start of the body. */
export function expectOk(answer: HttpAnswer, what: string): HttpAnswer {
  if (answer.status !== 200)
    throw new Error(`${what}: HTTP ${answer.status} ${decodedBody(answer).slice(0, 200)}`);
  return answer;
}
