import { COUNTED, HEADERS, headerRefs, type HeaderName } from "./openapi-headers.ts";
import { SCHEMA_REF } from "./openapi-schemas.ts";

/**
 * The answers many operations share, for components.responses: the problems (RFC 9457,
 * their `status` always the response's), 304 and 408. Operations refer to them by
 * $ref, with a description of their own when they say more about when it happens.
 */
function problemContent(status: number) {
  return {
    "application/problem+json": {
      schema: {
        allOf: [{ $ref: `${SCHEMA_REF}Problem` }, { properties: { status: { const: status } } }],
      },
    },
  };
}

/** A problem response: its headers are the counted ones and `headers`. */
export function problemResponse(
  status: number,
  description: string,
  headers: Record<string, unknown> = {},
) {
  return {
    description,
    headers: { ...headerRefs(...COUNTED, "Idempotent-Replayed"), ...headers },
    content: problemContent(status),
  };
}

const problem = (status: number, description: string, ...headers: HeaderName[]) =>
  problemResponse(status, description, headerRefs(...headers));

/** The shared responses, by status, with their names in components.responses. */
const SHARED = {
  304: [
    "NotModified",
    {
      description: "Not modified: If-None-Match named the current ETag",
      headers: headerRefs("ETag", ...COUNTED),
    },
  ],
  400: [
    "BadRequest",
    problem(400, "Not a valid request: malformed JSON, or the bad fields, each named in errors"),
  ],
  401: [
    "Unauthorized",
    problem(
      401,
      "A token is needed and missing, or the one sent is malformed, invalid or expired " +
        "(a bad token is refused even where none is needed)",
      "WWW-Authenticate",
    ),
  ],
  403: ["Forbidden", problem(403, "Not allowed for this user")],
  404: ["NotFound", problem(404, "No such resource")],
  408: [
    "RequestTimeout",
    {
      description:
        "The request did not arrive within GAVEL_REQUEST_TIMEOUT_MS (its headers within " +
        "10 s); the connection closes. No body",
    },
  ],
  409: [
    "Conflict",
    problemResponse(
      409,
      "Conflicts with the resource's state, or a request with this Idempotency-Key is still " +
        "in progress (then with Retry-After)",
      { "Retry-After": { ...HEADERS["Retry-After"], required: false } },
    ),
  ],
  413: ["ContentTooLarge", problem(413, "The body is larger than the edge takes")],
  415: [
    "UnsupportedMediaType",
    problem(
      415,
      "The body's media type, charset or encoding is not one the operation takes",
      "Accept-Post",
    ),
  ],
  422: [
    "UnprocessableContent",
    problem(422, "The Idempotency-Key was used before with another body: use a new key"),
  ],
  429: [
    "TooManyRequests",
    problem(429, "A rate limit's quota is spent (violated_policies names it)", "Retry-After"),
  ],
  503: [
    "ServiceUnavailable",
    problem(
      503,
      "A service behind the edge is unavailable; retry after Retry-After",
      "Retry-After",
    ),
  ],
  504: ["GatewayTimeout", problem(504, "A service behind the edge did not answer in time; retry")],
} as const;

export type SharedStatus = keyof typeof SHARED;

export const SHARED_RESPONSES = Object.fromEntries(
  Object.values(SHARED).map(([name, response]) => [name, response]),
);

/** The shared response for a status, by $ref, with this operation's own description. */
export function responseRef(status: SharedStatus, description?: string) {
  const ref = { $ref: `#/components/responses/${SHARED[status][0]}` };
  return description ? { ...ref, description } : ref;
}
