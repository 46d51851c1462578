import { Router } from "express";
import { cachePolicy } from "../http/http-caching.ts";
import { links } from "../api/links.ts";
import type { PushPaths } from "../api/push-paths.ts";
import { methodNotAllowed } from "./route-guards.ts";

/** GET /v1: where a client starts walking the API. */
export function rootRoutes(push: PushPaths): Router {
  const router = Router();
  router
    .route("/")
    .get((_req, res) => {
      res
        .set("cache-control", cachePolicy.static)
        .json({ name: "Gavel public API", version: "v1", _links: links.root(push) });
    })
    .all(methodNotAllowed("GET"));
  return router;
}
