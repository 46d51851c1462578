import { json, type Operation } from "./operation-row.ts";

/** The API's own resources: its root, this document and the page over it. */
export const API_OPERATIONS: Operation[] = [
  {
    method: "get",
    path: "/v1",
    summary: "Where to start: links to everything",
    tag: "api",
    auth: "optional",
    local: true,
    ok: { status: 200, content: json("ApiRoot"), description: "The API root" },
    errors: {},
  },
  {
    method: "get",
    path: "/v1/openapi.json",
    summary: "This document",
    tag: "api",
    auth: "optional",
    local: true,
    conditional: true,
    ok: {
      status: 200,
      content: { "application/openapi+json": { object: "An OpenAPI 3.1 document" } },
      description: "The OpenAPI document of /v1; it changes only with a deployment",
      headers: ["ETag"],
    },
    errors: {},
  },
  {
    method: "get",
    path: "/v1/docs",
    summary: "A reference page over this document, for browsers",
    tag: "api",
    auth: "optional",
    local: true,
    ok: {
      status: 200,
      content: { "text/html": { text: "An HTML page that loads /v1/openapi.json" } },
      description: "The page",
    },
    errors: {},
  },
];
