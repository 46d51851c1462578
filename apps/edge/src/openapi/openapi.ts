import type { z } from "zod";
import { HEADERS } from "./openapi-headers.ts";
import { openApiOperation } from "./openapi-operation.ts";
import { OTHER_REQUESTS_DESCRIPTION, otherMethods, preflight } from "./openapi-other-requests.ts";
import { SHARED_RESPONSES } from "./openapi-responses.ts";
import { fieldsOf, jsonSchemas, type JsonSchema } from "./openapi-schemas.ts";
import { OPERATIONS, PARAMETER_SETS } from "./operations.ts";
import { namedResponseSchemas } from "../api/response-schemas.ts";
import { IdempotencyKey, namedRequestSchemas } from "../api/schemas.ts";

/**
 * The OpenAPI 3.1 document of /v1, built from the operation table and the schemas the
 * routes validate with: named schemas, parameters, headers and responses are
 * components, used by $ref.
 */
export function openApiDocument(): Record<string, unknown> {
  const setNames = new Map(Object.entries(PARAMETER_SETS).map(([n, s]) => [s as z.ZodType, n]));
  const requests = jsonSchemas(namedRequestSchemas, setNames, "input");
  const responses = jsonSchemas(namedResponseSchemas, new Map(), "output");
  const { parameters, refsOf } = parameterComponents(requests.others, setNames);
  const bodyNames = new Map<object, string>(
    Object.entries(namedRequestSchemas).map(([name, schema]) => [schema, name]),
  );
  const names = {
    parameters: refsOf,
    schema(schema: object) {
      const name = bodyNames.get(schema);
      if (!name) throw new Error("a request body must be one of namedRequestSchemas");
      return name;
    },
  };

  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of OPERATIONS) (paths[op.path] ??= {})[op.method] = openApiOperation(op, names);
  for (const [path, item] of Object.entries(paths)) {
    // In the order the routes' Allow header lists them (route-guards.ts).
    const methods = ["get", "post"].filter((m) => m in item).map((m) => m.toUpperCase());
    const other = otherMethods([...methods, ...(item.get ? ["HEAD"] : [])].join(", "));
    Object.assign(item, { options: preflight(path, other), "x-other-methods": other });
  }
  const unlisted = otherMethods(undefined);

  return {
    openapi: "3.1.1",
    info: {
      title: "Gavel public API",
      version: "1.0.0",
      description:
        "Live auctions over REST. Every resource links to its related resources; errors " +
        "are RFC 9457 problem details. Unknown query parameters and body fields are refused " +
        `with 400. ${OTHER_REQUESTS_DESCRIPTION}`,
    },
    servers: [{ url: "/" }],
    paths,
    "x-unlisted-paths": {
      options: preflight("/v1/unlisted", unlisted),
      "x-other-methods": unlisted,
    },
    components: {
      securitySchemes: {
        bearer: {
          type: "http",
          scheme: "bearer",
          bearerFormat: "JWT (EdDSA), from POST /v1/auth/sign-in",
        },
      },
      schemas: disjoint(requests.named, responses.named),
      parameters: {
        ...parameters,
        IdempotencyKey: {
          name: "Idempotency-Key",
          in: "header",
          required: false,
          description: IdempotencyKey.description,
          schema: { $ref: "#/components/schemas/IdempotencyKey" },
        },
        IfNoneMatch: {
          name: "If-None-Match",
          in: "header",
          required: false,
          description: "ETags the client has: a 304 without a body when one is current (or *)",
          schema: { type: "string" },
        },
      },
      headers: HEADERS,
      responses: SHARED_RESPONSES,
    },
  };
}

/** Every field of every parameter set as a named parameter: `LotListQuery.limit`. */
function parameterComponents(sets: Map<z.ZodType, JsonSchema>, names: Map<z.ZodType, string>) {
  const parameters: Record<string, unknown> = {};
  const refs = new Map<object, Array<{ $ref: string }>>();
  for (const [set, schema] of sets) {
    const name = names.get(set)!;
    const where = name.endsWith("Params") ? "path" : "query";
    refs.set(
      set,
      fieldsOf(schema).map((field) => {
        const key = `${name}.${field.name}`;
        parameters[key] = {
          name: field.name,
          in: where,
          required: where === "path" || field.required,
          schema: field.schema,
        };
        return { $ref: `#/components/parameters/${key}` };
      }),
    );
  }
  const refsOf = (set: object | undefined) => {
    if (!set) return [];
    const found = refs.get(set);
    if (!found) throw new Error("a query or path schema must be one of PARAMETER_SETS");
    return found;
  };
  return { parameters, refsOf };
}

function disjoint(a: Record<string, JsonSchema>, b: Record<string, JsonSchema>) {
  const both = Object.keys(a).filter((name) => name in b);
  if (both.length) throw new Error(`schemas named twice: ${both.join(", ")}`);
  return { ...a, ...b };
}
