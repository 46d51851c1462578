import { z } from "zod";
import { OPERATIONS } from "./operations.ts";
import * as responses from "./response-schemas.ts";

const ERROR_TEXT: Record<number, string> = {
  400: "Invalid request: every bad field is named",
  401: "Missing, invalid or expired token",
  403: "Not allowed for this user",
  404: "No such resource",
  409: "Conflict with the resource's state (too-low bid, ended lot)",
  413: "Body too large",
  415: "Body is not JSON",
};

const inputSchema = (schema: z.ZodType) =>
  z.toJSONSchema(schema, { io: "input", unrepresentable: "any" });

function parameters(schema: z.ZodObject | undefined, where: "path" | "query") {
  if (!schema) return [];
  return Object.entries(schema.shape).map(([name, field]) => ({
    name,
    in: where,
    required: where === "path" || !(field as z.ZodType).safeParse(undefined).success,
    schema: inputSchema(field as z.ZodType),
  }));
}

/** The OpenAPI 3.1 document of /v1, built once from the operation table. */
export function openApiDocument(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of OPERATIONS) {
    const problem = {
      "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } },
    };
    paths[op.path] ??= {};
    paths[op.path]![op.method] = {
      summary: op.summary,
      tags: [op.tag],
      operationId: `${op.method}${op.path.replace(/\/v1|[{}]/g, "").replace(/[/-](\w)/g, (_m, c: string) => c.toUpperCase())}`,
      security: op.auth === "required" ? [{ bearer: [] }] : [{}, { bearer: [] }],
      parameters: [
        ...parameters(op.path_params, "path"),
        ...parameters(op.query, "query"),
        ...(op.idempotencyKey
          ? [
              {
                name: "Idempotency-Key",
                in: "header",
                required: false,
                schema: { type: "string", maxLength: 64 },
                description: "A retry with the same key returns the first response",
              },
            ]
          : []),
      ],
      ...(op.body
        ? {
            requestBody: {
              required: true,
              content: { [op.bodyType ?? "application/json"]: { schema: inputSchema(op.body) } },
            },
          }
        : {}),
      responses: {
        [op.ok.status]: {
          description: op.ok.description,
          ...(op.ok.schema
            ? {
                content: {
                  "application/json": { schema: { $ref: `#/components/schemas/${op.ok.schema}` } },
                },
              }
            : {}),
          ...(op.ok.eventStream
            ? {
                content: {
                  "application/json": { schema: { type: "object" } },
                  "text/event-stream": {
                    schema: { type: "string", description: op.ok.eventStream },
                  },
                },
              }
            : {}),
        },
        ...(op.method === "get" && op.path !== "/v1"
          ? { 304: { description: "Not modified (If-None-Match)" } }
          : {}),
        ...Object.fromEntries(
          [...op.errors, 429, 503].map((s) => [
            s,
            {
              description:
                ERROR_TEXT[s] ??
                (s === 429 ? "Rate limited: see Retry-After" : "A service is unavailable; retry"),
              content: problem,
            },
          ]),
        ),
      },
    };
  }
  return {
    openapi: "3.1.1",
    info: {
      title: "Gavel public API",
      version: "1.0.0",
      description:
        "Live auctions over REST. Every resource links to its related resources; errors are RFC 9457 problem details.",
    },
    servers: [{ url: "/" }],
    paths,
    components: {
      securitySchemes: {
        bearer: {
          type: "http",
          scheme: "bearer",
          bearerFormat: "JWT (EdDSA), from POST /v1/auth/sign-in",
        },
      },
      schemas: Object.fromEntries(
        Object.entries(responses).map(([name, schema]) => [
          name,
          z.toJSONSchema(schema, { unrepresentable: "any" }),
        ]),
      ),
    },
  };
}
