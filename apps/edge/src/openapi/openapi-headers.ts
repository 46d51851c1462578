import { cachePolicy } from "../http/http-caching.ts";
import { EVENT_STREAM_CACHE_CONTROL } from "../routes/import-events.ts";

/**
 * The response headers of /v1, for components.headers. Each is required where a
 * response lists it, except those marked optional here: the rate-limit fields are
 * left out when the limiter cannot count (it lets requests through then), the others
 * appear only in some of the cases a response stands for.
 */
const rateLimitItem = (params: string) => `"[a-z-]+";${params}`;
const list = (item: string) => `^${item}(, ${item})*$`;
const pageLink = '<[^>]+>; rel="(first|prev|next)"';

const header = (description: string, schema: Record<string, unknown>, required = true) => ({
  description,
  required,
  schema: { type: "string", ...schema },
});

export const HEADERS = {
  "Cache-Control": header("How long and where the response may be stored", {
    enum: [...new Set([...Object.values(cachePolicy), EVENT_STREAM_CACHE_CONTROL])],
  }),
  ETag: header("A strong validator: send it back in If-None-Match to revalidate", {
    pattern: '^"[^"]*"$',
  }),
  Link: header("The pages around this one (RFC 8288): first, and prev and next when they exist", {
    pattern: list(pageLink),
  }),
  Location: header("Where the created resource is", { pattern: "^/v1/" }),
  RateLimit: header(
    "What is left of each quota, r requests, and t seconds until its window ends",
    { pattern: list(rateLimitItem("r=\\d+;t=\\d+")) },
    false,
  ),
  "RateLimit-Policy": header(
    "Each quota counted against: q requests per w seconds (per-ip; per-user when signed in)",
    { pattern: list(rateLimitItem("q=\\d+;w=\\d+")) },
    false,
  ),
  "Retry-After": header("Seconds to wait before retrying", { pattern: "^[0-9]+$" }),
  "WWW-Authenticate": header("How to authenticate: a bearer token", {
    pattern: '^Bearer realm="gavel"',
  }),
  "Accept-Post": header(
    "The media type the operation takes",
    { enum: ["application/json", "application/x-ndjson"] },
    false,
  ),
  "Idempotent-Replayed": header(
    "On a POST retried with its Idempotency-Key: this is the first response, replayed",
    { const: "true" },
    false,
  ),
  "Access-Control-Allow-Origin": header(
    "The caller's Origin, when it is one of GAVEL_CORS_ORIGINS",
    {},
    false,
  ),
  "Access-Control-Allow-Methods": header("Methods a browser may use", {}),
  "Access-Control-Allow-Headers": header("Request headers a browser may send", {}),
  "Access-Control-Max-Age": header("Seconds a browser may keep this preflight's answer", {
    pattern: "^[0-9]+$",
  }),
} as const;

export type HeaderName = keyof typeof HEADERS;

/** The headers by $ref to components.headers. */
export function headerRefs(...names: HeaderName[]): Record<string, { $ref: string }> {
  return Object.fromEntries(names.map((n) => [n, { $ref: `#/components/headers/${n}` }]));
}

/** What every response that passed the rate limiter carries. */
export const COUNTED = ["Cache-Control", "RateLimit", "RateLimit-Policy"] as const;
