/**
 * JSON over keep-alive HTTP/1.1 from node:http, the transport of every loadgen client.
 * Lighter on the shared cores than fetch when a benchmark drives thousands of requests a
 * second, and a pool of `connections` sockets, so the edge sees a fixed set of clients.
 */
import http from "node:http";
import https from "node:https";

export interface HttpAnswer {
  status: number;
  /** The body as text; `json()` parses it. */
  body: string;
  json<T>(): T;
}

export interface SendOptions {
  body?: unknown;
  headers?: Record<string, string>;
}

/** A request that has not answered after this long fails (it never hangs a run). */
const TIMEOUT_MS = 30_000;

export class EdgeHttp {
  readonly base: string;
  readonly #agent: http.Agent;
  readonly #request: typeof http.request;

  constructor(base: string, connections = 64) {
    this.base = base.replace(/\/+$/, "");
    const secure = new URL(this.base).protocol === "https:";
    const options = { keepAlive: true, maxSockets: connections };
    this.#agent = secure ? new https.Agent(options) : new http.Agent(options);
    this.#request = secure ? https.request : http.request;
  }

  send(method: string, path: string, options: SendOptions = {}): Promise<HttpAnswer> {
    const json = options.body === undefined ? undefined : JSON.stringify(options.body);
    const headers: Record<string, string | number> = { ...options.headers };
    if (json !== undefined) {
      headers["content-type"] = "application/json";
      headers["content-length"] = Buffer.byteLength(json);
    }
    return new Promise((resolve, reject) => {
      const req = this.#request(
        `${this.base}${path}`,
        { method, agent: this.#agent, headers, timeout: TIMEOUT_MS },
        (res) => {
          let body = "";
          res.setEncoding("utf8");
          res.on("data", (chunk: string) => (body += chunk));
          res.on("end", () =>
            resolve({ status: res.statusCode ?? 0, body, json: <T>() => JSON.parse(body) as T }),
          );
          res.on("error", reject);
        },
      );
      req.on("timeout", () => req.destroy(new Error(`${method} ${path}: no answer in 30 s`)));
      req.on("error", reject);
      req.end(json);
    });
  }

  /** Closes the pooled sockets; requests still in flight fail. */
  close(): void {
    this.#agent.destroy();
  }
}
