import { createHash } from "node:crypto";
import { Router } from "express";
import { cachePolicy, notModified } from "../http/http-caching.ts";
import { openApiDocument } from "./openapi.ts";
import { docsPage } from "./docs-page.ts";
import { methodNotAllowed } from "../routes/route-guards.ts";

/** /v1/openapi.json and a browsable page over it, both cacheable until the next deployment. */
export function openApiRoutes(): Router {
  const body = JSON.stringify(openApiDocument());
  const etag = `"${createHash("sha256").update(body).digest("base64url").slice(0, 22)}"`;
  const router = Router();
  router
    .route("/openapi.json")
    .get((req, res) => {
      res.set({ etag, "cache-control": cachePolicy.static });
      if (notModified(req.get("if-none-match"), etag)) return void res.status(304).end();
      res.type("application/openapi+json").send(body);
    })
    .all(methodNotAllowed("GET"));
  router
    .route("/docs")
    .get((_req, res) => {
      res
        .set("cache-control", cachePolicy.static)
        .set(
          "content-security-policy",
          "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'",
        )
        .type("html")
        .send(docsPage);
    })
    .all(methodNotAllowed("GET"));
  return router;
}
