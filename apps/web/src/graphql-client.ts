import { noTracing, traceHeaders, type PageSpan, type PageTracing } from "./page-tracing.ts";

/**
 * A small GraphQL client for the BFF that sends automatic persisted queries: first only
 * the query's SHA-256, and the full text only when the BFF has not seen it yet. Hashing
 * needs a secure context (https, or localhost); elsewhere the text goes every time. Each
 * request is one span of the page (`query LotPage`), its context sent as `traceparent`.
 */
export interface GraphQLResult<T> {
  data: T;
  /** How the request went, for the page's protocol panel. */
  persisted: "hit" | "registered" | "off";
  ms: number;
}

export class GraphQLError extends Error {
  readonly code: string | undefined;
  constructor(message: string, code?: string) {
    super(message);
    this.code = code;
  }
}

interface Response<T> {
  data?: T;
  errors?: Array<{ message: string; extensions?: { code?: string } }>;
}

const hashes = new Map<string, string>();

export class GraphQLClient {
  readonly #url: string;
  readonly #token: () => string | undefined;
  readonly #tracing: PageTracing;

  constructor(url: string, token: () => string | undefined, tracing: PageTracing = noTracing) {
    this.#url = url;
    this.#token = token;
    this.#tracing = tracing;
  }

  async request<T>(
    query: string,
    variables: Record<string, unknown> = {},
  ): Promise<GraphQLResult<T>> {
    const [, type = "query", name = ""] = /^\s*(query|mutation)\s*(\w*)/.exec(query) ?? [];
    const span = this.#tracing.start(`${type} ${name}`.trim(), {
      "graphql.operation.type": type,
      ...(name ? { "graphql.operation.name": name } : {}),
    });
    try {
      const result = await this.#send<T>(query, variables, span);
      span.end({ attributes: { "gavel.graphql.persisted": result.persisted } });
      return result;
    } catch (err) {
      span.end({ error: err instanceof Error ? err.message : String(err) });
      throw err;
    }
  }

  async #send<T>(query: string, variables: Record<string, unknown>, span: PageSpan) {
    const started = performance.now();
    const hash = await sha256(query);
    if (hash) {
      const extensions = { persistedQuery: { version: 1, sha256Hash: hash } };
      const first = await this.#post<T>({ variables, extensions }, span);
      if (!isNotFound(first)) return this.#result(first, "hit", started);
      const second = await this.#post<T>({ query, variables, extensions }, span);
      return this.#result(second, "registered", started);
    }
    return this.#result(await this.#post<T>({ query, variables }, span), "off", started);
  }

  #result<T>(res: Response<T>, persisted: GraphQLResult<T>["persisted"], started: number) {
    const error = res.errors?.[0];
    if (error || !res.data) {
      throw new GraphQLError(error?.message ?? "no data", error?.extensions?.code);
    }
    return { data: res.data, persisted, ms: Math.round(performance.now() - started) };
  }

  async #post<T>(body: Record<string, unknown>, span: PageSpan): Promise<Response<T>> {
    const token = this.#token();
    const res = await fetch(this.#url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...traceHeaders(span),
      },
      body: JSON.stringify(body),
    });
    if (!res.headers.get("content-type")?.includes("json")) {
      throw new GraphQLError(`the API answered ${res.status}`);
    }
    return (await res.json()) as Response<T>;
  }
}

const isNotFound = (res: Response<unknown>) =>
  res.errors?.some((e) => e.extensions?.code === "PERSISTED_QUERY_NOT_FOUND") ?? false;

async function sha256(text: string): Promise<string | undefined> {
  if (!globalThis.crypto?.subtle) return undefined;
  let hash = hashes.get(text);
  if (!hash) {
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
    hash = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
    hashes.set(text, hash);
  }
  return hash;
}
