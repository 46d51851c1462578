import { headerRefs } from "./openapi-headers.ts";
import { problemResponse, responseRef } from "./openapi-responses.ts";
import { operationId } from "./openapi-operation.ts";

/**
 * What the document says of requests no operation stands for (a CORS preflight, a method
 * a path does not take, a path not listed), so that every answer the edge gives is in it.
 * Why: docs/architecture.md#the-rest-edge-appsedge
 */
export const OTHER_REQUESTS_DESCRIPTION =
  "Any other method on a path is answered 405, with Allow naming those it takes " +
  "(x-other-methods on each path); any path not listed here 404 (x-unlisted-paths). " +
  "HEAD is answered wherever GET is, without the body; OPTIONS is a CORS preflight.";

/** The answers to a method a path does not take: 405, or 404 for a path not listed. */
export function otherMethods(allow: string | undefined): Record<string, unknown> {
  const refusal = allow
    ? {
        405: problemResponse(405, "This path does not take the method", {
          Allow: {
            description: "The methods this path takes",
            required: true,
            schema: { type: "string", const: allow },
          },
        }),
      }
    : { 404: responseRef(404, "Nothing is at this path; start at /v1") };
  return {
    summary: allow ? `Any method but ${allow}` : "Any request",
    description:
      "What the edge answers a request for which no operation is listed, as for any " +
      "request: the token and rate limits are checked, a JSON body is parsed, and a POST's " +
      "Idempotency-Key is honoured (a replay, 409, 422 or 503) before the refusal",
    responses: {
      400: responseRef(400, "Malformed JSON, or a malformed Idempotency-Key on a POST"),
      401: responseRef(401),
      ...refusal,
      408: responseRef(408),
      409: responseRef(409, "A POST with this Idempotency-Key is in progress"),
      413: responseRef(413),
      415: responseRef(415),
      422: responseRef(422),
      429: responseRef(429),
      503: responseRef(503, "The store of Idempotency-Keys is unreachable (a POST with one)"),
    },
  };
}

/**
 * OPTIONS: a CORS preflight, answered before the API for a request without an Origin
 * or from one of GAVEL_CORS_ORIGINS, whatever its path's parameters hold; from any other
 * origin it goes on to the API, which answers it as any method the path does not take.
 */
export function preflight(path: string, other: Record<string, unknown>): Record<string, unknown> {
  const parameters = [...path.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({
    name,
    in: "path",
    required: true,
    description: "Any value: a preflight does not read it",
    schema: { type: "string" },
  }));
  return {
    summary: "CORS preflight",
    tags: ["cors"],
    operationId: operationId("options", path),
    security: [{}],
    parameters,
    responses: {
      204: {
        description: "What a browser may send here, from an allowed origin (or none)",
        headers: headerRefs(
          "Access-Control-Allow-Origin",
          "Access-Control-Allow-Methods",
          "Access-Control-Allow-Headers",
          "Access-Control-Max-Age",
        ),
      },
      ...(other.responses as Record<string, unknown>),
    },
  };
}
