import { Router } from "express";
import { cachePolicy } from "../http/http-caching.ts";
import { links } from "../api/links.ts";
import { methodNotAllowed } from "./route-guards.ts";

/** GET /v1: where a client starts walking the API. */
export function rootRoutes(): Router {
  const router = Router();
  router
    .route("/")
    .get((_req, res) => {
      res
        .set("cache-control", cachePolicy.static)
        .json({ name: "Gavel public API", version: "v1", _links: links.root() });
    })
    .all(methodNotAllowed("GET"));
  return router;
}
