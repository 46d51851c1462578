import http from "node:http";
import http2 from "node:http2";
import https from "node:https";
import { brotliDecompressSync, gunzipSync, inflateSync } from "node:zlib";
import type * as Undici from "undici";
import type { Dispatcher } from "undici";

/** A response one of the test's HTTP clients received from a /v1 URL. */
export interface Observed {
  origin: string;
  method: string;
  path: string;
  status: number;
  headers: Headers | Record<string, string | string[] | undefined>;
  /** The decoded body once it has all arrived; undefined if it never did. */
  body: Promise<string | undefined>;
}

export type Observer = (response: Observed) => void;

const isApi = (path: string) => /^\/v1(\/|\?|$)/i.test(path);

/**
 * Wraps the HTTP clients the edge's tests use, so that every response from a /v1 URL
 * is handed to `observe` as the client receives it: fetch, node:http and node:https
 * (request, get) and node:http2 sessions (undici: checkedUndici). Their callers see no
 * difference: bodies are read from a clone (fetch) or as the caller reads them (rawBody).
 */
export function hookClients(observe: Observer): void {
  hookFetch(observe);
  hookNodeHttp(http, "http:", observe);
  hookNodeHttp(https, "https:", observe);
  hookHttp2(observe);
}

function hookFetch(observe: Observer): void {
  const fetch = globalThis.fetch;
  globalThis.fetch = async (input, init) => {
    const response = await fetch(input, init);
    const request = input instanceof Request ? input : undefined;
    const url = new URL(request?.url ?? String(input));
    if (isApi(url.pathname)) {
      observe({
        origin: url.origin,
        method: init?.method ?? request?.method ?? "GET",
        path: url.pathname + url.search,
        status: response.status,
        headers: response.headers,
        body: response
          .clone()
          .text()
          .catch(() => undefined),
      });
    }
    return response;
  };
}

function hookNodeHttp(module: typeof http | typeof https, protocol: string, observe: Observer) {
  const request = module.request as (...args: unknown[]) => http.ClientRequest;
  const hooked = (...args: unknown[]) => {
    const req = request(...args);
    req.once("response", (res: http.IncomingMessage) => {
      if (!isApi(req.path)) return;
      observe({
        origin: `${protocol}//${String(req.getHeader("host") ?? req.host)}`,
        method: req.method,
        path: req.path,
        status: res.statusCode ?? 0,
        headers: res.headers,
        body: decoded(rawBody(res), res.headers["content-encoding"]),
      });
    });
    return req;
  };
  Object.assign(module, {
    request: hooked,
    get: (...args: unknown[]) => {
      const req = hooked(...args);
      req.end();
      return req;
    },
  });
}

function hookHttp2(observe: Observer): void {
  const connect = http2.connect;
  Object.assign(http2, {
    connect(authority: string | URL, ...rest: unknown[]) {
      const session = (connect as (...args: unknown[]) => http2.ClientHttp2Session)(
        authority,
        ...rest,
      );
      const request = session.request.bind(session);
      session.request = (headers, options) => {
        const stream = request(headers, options);
        const pseudo = (name: string) => (headers as http2.OutgoingHttpHeaders | undefined)?.[name];
        const path = String(pseudo(":path") ?? "/");
        if (isApi(path)) {
          const raw = rawBody(stream);
          stream.once("response", (answer) =>
            observe({
              origin: new URL(String(authority)).origin,
              method: String(pseudo(":method") ?? "GET"),
              path,
              status: Number(answer[":status"]),
              headers: answer,
              body: decoded(raw, answer["content-encoding"]),
            }),
          );
        }
        return stream;
      };
      return session;
    },
  });
}

/**
 * undici's request() with every response observed: its dispatcher (the caller's, or the
 * global one) gets one more interceptor, outermost, so it sees what the caller receives
 * (from a cache, a cached response).
 */
export function checkedUndici<U extends typeof Undici>(undici: U, observe: Observer): U {
  const interceptor: Dispatcher.DispatcherComposeInterceptor = (dispatch) => (opts, handler) => {
    if (!isApi(opts.path)) return dispatch(opts, handler);
    const chunks: Buffer[] = [];
    let done: (body: Buffer | undefined) => void = () => {};
    const raw = new Promise<Buffer | undefined>((resolve) => (done = resolve));
    type Headers = Record<string, string | string[] | undefined>;
    type Controller = Dispatcher.DispatchController;
    // The caller's handler, with its response callbacks tapped (undici 8's handler API).
    const taps: Partial<Dispatcher.DispatchHandler> = {
      onResponseStart(controller: Controller, status: number, headers: Headers, text: string) {
        observe({
          origin: String(opts.origin),
          method: opts.method,
          path: opts.path,
          status,
          headers,
          body: decoded(raw, headers["content-encoding"]),
        });
        return handler.onResponseStart?.(controller, status, headers, text);
      },
      onResponseData(controller: Controller, chunk: Buffer) {
        chunks.push(Buffer.from(chunk));
        return handler.onResponseData?.(controller, chunk);
      },
      onResponseEnd(controller: Controller, trailers: Headers) {
        done(Buffer.concat(chunks));
        return handler.onResponseEnd?.(controller, trailers);
      },
      onResponseError(controller: Controller, err: Error) {
        done(undefined);
        return handler.onResponseError?.(controller, err);
      },
    };
    const tapped = new Proxy(handler, {
      get(target, key) {
        if (key in taps) return taps[key as keyof typeof taps];
        const value: unknown = Reflect.get(target, key);
        return typeof value === "function" ? (value as () => unknown).bind(target) : value;
      },
    });
    return dispatch(opts, tapped);
  };
  const request: typeof undici.request = (url, options = {}) =>
    undici.request(url, {
      ...options,
      dispatcher: (options.dispatcher ?? undici.getGlobalDispatcher()).compose(interceptor),
    });
  return { ...undici, request };
}

/** A raw HTTP/1.1 answer (from a socket a test wrote to itself), observed like the rest. */
export function observeRaw(
  origin: string,
  method: string,
  path: string,
  raw: string,
  observe: Observer,
) {
  const [head = "", ...rest] = raw.split("\r\n\r\n");
  const [statusLine = "", ...lines] = head.split("\r\n");
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(":");
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  observe({
    origin,
    method,
    path,
    status: Number(statusLine.split(" ")[1]),
    headers,
    body: Promise.resolve(rest.join("\r\n\r\n")),
  });
}

/**
 * The whole body of a stream as its reader takes it: its 'data' events are tapped, not
 * listened to, so the stream flows only when its reader makes it (a listener would start
 * it, and a reader that attaches its own later would miss the start). Undefined if the
 * stream stops before its end.
 */
function rawBody(stream: NodeJS.EventEmitter): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  return new Promise((resolve) => {
    const emit = stream.emit.bind(stream);
    stream.emit = (event: string | symbol, ...args: unknown[]) => {
      if (event === "data") chunks.push(Buffer.from(args[0] as Buffer | string));
      else if (event === "end") resolve(Buffer.concat(chunks));
      else if (event === "error" || event === "close") resolve(undefined);
      return emit(event, ...args);
    };
  });
}

/** The body as text, uncompressed as its Content-Encoding says. */
async function decoded(
  raw: Promise<Buffer | undefined>,
  encoding: string | string[] | undefined,
): Promise<string | undefined> {
  const body = await raw;
  return body && decode(body, String(encoding ?? ""));
}

function decode(raw: Buffer, encoding: string): string {
  switch (encoding.toLowerCase()) {
    case "br":
      return brotliDecompressSync(raw).toString();
    case "gzip":
      return gunzipSync(raw).toString();
    case "deflate":
      return inflateSync(raw).toString();
    default:
      return raw.toString();
  }
}
