import http from "node:http";
import https from "node:https";
import type { OpenApiDocument } from "./document-match.ts";

/** Node's own clients, kept before client-hooks.ts wraps them: reading a document is no response to check. */
const get = { "http:": http.get, "https:": https.get };
const documents = new Map<string, Promise<OpenApiDocument | undefined>>();

/**
 * The OpenAPI document an origin serves at /v1/openapi.json, read once per origin; none
 * when the origin is not an edge (a collector's /v1/traces, say). An edge that refuses
 * to serve it (a problem, such as a 429) is an error: its responses cannot be checked.
 * The read counts against the edge's per-IP rate limit; a test that counts requests
 * reads it first (edge-stack.ts does for the stacks it starts).
 */
export function edgeDocument(origin: string): Promise<OpenApiDocument | undefined> {
  let document = documents.get(origin);
  if (!document) {
    document = read(origin);
    documents.set(origin, document);
  }
  return document;
}

function read(origin: string): Promise<OpenApiDocument | undefined> {
  const url = new URL("/v1/openapi.json", origin);
  const protocol = url.protocol as keyof typeof get;
  return new Promise((resolve, reject) => {
    // A test's self-signed certificate (http2.test.ts) is no reason to leave its edge unchecked.
    const req = get[protocol](url, { rejectUnauthorized: false }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (text += chunk));
      res.on("error", reject);
      res.on("end", () => {
        const type = res.headers["content-type"] ?? "";
        if (res.statusCode === 200 && type.startsWith("application/openapi+json"))
          resolve(JSON.parse(text) as OpenApiDocument);
        else if (type.startsWith("application/problem+json"))
          reject(new Error(`${origin} refused its OpenAPI document: ${res.statusCode} ${text}`));
        else resolve(undefined);
      });
    });
    req.on("error", reject);
  });
}
