import { COUNTED, headerRefs } from "./openapi-headers.ts";
import { responseRef, type SharedStatus } from "./openapi-responses.ts";
import { SCHEMA_REF } from "./openapi-schemas.ts";
import type { Operation } from "./operation-row.ts";

/** How the document names what an operation uses: its parameters and its body's schema. */
export interface Names {
  parameters(set: object | undefined): Array<{ $ref: string }>;
  schema(schema: object): string;
}

/**
 * One operation of the document from its row in the operation table: its parameters,
 * body and every answer it can get, the ones its route gives (`ok`, `errors`) and the
 * ones any request may get on its way there (app.ts): a malformed JSON body, a bad
 * token, a rate limit, a slow request; on POST the Idempotency-Key's; and where a
 * service answers, that it is down or slow.
 */
export function openApiOperation(op: Operation, names: Names): Record<string, unknown> {
  const post = op.method === "post";
  return {
    summary: op.summary,
    tags: [op.tag],
    operationId: operationId(op.method, op.path),
    security: op.auth === "required" ? [{ bearer: [] }] : [{}, { bearer: [] }],
    parameters: [
      ...names.parameters(op.path_params),
      ...names.parameters(op.query),
      ...(post ? [{ $ref: "#/components/parameters/IdempotencyKey" }] : []),
      ...(op.conditional ? [{ $ref: "#/components/parameters/IfNoneMatch" }] : []),
    ],
    ...(op.body
      ? {
          requestBody: {
            required: !op.bodyOptional,
            content: {
              [op.bodyType ?? "application/json"]: {
                schema: { $ref: `${SCHEMA_REF}${names.schema(op.body)}` },
              },
            },
          },
        }
      : {}),
    responses: { [op.ok.status]: okResponse(op), ...otherResponses(op) },
  };
}

/** get, post or options and the path in camel case: getLotsIdBids. */
export function operationId(method: string, path: string): string {
  const words = path
    .replace(/\/v1|[{}]/g, "")
    .replace(/[/.-](\w)/g, (_m, c: string) => c.toUpperCase());
  return `${method}${words}`;
}

function okResponse(op: Operation) {
  const content = Object.fromEntries(
    Object.entries(op.ok.content).map(([mediaType, body]) => {
      if (typeof body === "string") return [mediaType, { schema: { $ref: SCHEMA_REF + body } }];
      const schema =
        "text" in body
          ? { type: "string", description: body.text }
          : { type: "object", description: body.object };
      return [mediaType, { schema }];
    }),
  );
  return {
    description: op.ok.description,
    headers: headerRefs(
      ...COUNTED,
      ...(op.ok.headers ?? []),
      ...(op.method === "post" ? (["Idempotent-Replayed"] as const) : []),
    ),
    content,
  };
}

/** Every answer besides the successful one, in status order, with why each comes. */
function otherResponses(op: Operation): Record<string, unknown> {
  const post = op.method === "post";
  const own = op.errors;
  const invalid = [
    "malformed JSON",
    ...(op.body || op.query || op.path_params ? ["a bad field (errors names each)"] : []),
    ...(post ? ["an Idempotency-Key not of 1 to 64 A-Z, a-z, 0-9, _ and -"] : []),
  ];
  const why: Partial<Record<SharedStatus, string | undefined>> = {
    400: join(`Not a valid request: ${invalid.join("; or ")}`, own[400]),
    401: own[401],
    403: own[403],
    404: own[404],
    409: post ? join("A request with this Idempotency-Key is in progress", own[409]) : own[409],
    413: own[413] ?? "A JSON body over GAVEL_BODY_LIMIT_BYTES",
    415:
      own[415] ??
      (op.body
        ? "The body is not application/json, or its charset or encoding is not supported"
        : "A body sent along is in an unsupported charset or encoding"),
  };
  const statuses = new Set<SharedStatus>([400, 401, 408, 413, 415, 429]);
  for (const status of Object.keys(own)) statuses.add(Number(status) as SharedStatus);
  if (post) for (const s of [409, 422, 503] as const) statuses.add(s);
  if (!op.local) for (const s of [503, 504] as const) statuses.add(s);
  if (op.conditional) statuses.add(304);
  return Object.fromEntries(
    [...statuses].sort((a, b) => a - b).map((s) => [s, responseRef(s, why[s])]),
  );
}

function join(general: string, own: string | undefined): string {
  return own ? `${general}. ${own}` : general;
}
