import { existsSync } from "node:fs";
import { join } from "node:path";
import express, { Router, type Response } from "express";
import { Problem } from "../http/problem.ts";

/**
 * Where the web page (apps/web) finds the other fronts. An empty URL means "this origin":
 * behind the chart's Ingress, /graphql, /ws, /sse and /tickets share the edge's host.
 */
export interface WebClientConfig {
  bffUrl: string;
  pushUrl: string;
  /** A Jaeger UI to link bids' traces to; empty for none. */
  jaegerUrl: string;
  /** Where the page POSTs its spans (OTLP/HTTP JSON, relayed by the edge); empty for nowhere. */
  otlpTracesUrl: string;
  /** Where the page reads a trace's waterfall, `${traceViewUrl}/<trace id>`; empty for nowhere. */
  traceViewUrl: string;
}

export interface WebAppOptions {
  /** The built page (apps/web/dist): index.html and assets/ with content-hashed names. */
  dir: string;
  client: WebClientConfig;
}

/**
 * Paths that belong to an API, never to the page, so they keep their own 404s: the
 * fronts' own, and the edge's trace routes for the page (src/telemetry/trace-relay.ts, trace-view.ts).
 */
const API_PATHS = /^\/(v1|graphql|ws|sse|tickets|presence|otlp|traces)(\/|$)/;

const NO_CACHE = "no-cache";
const IMMUTABLE = "public, max-age=31536000, immutable";

/**
 * Serves the web page at /: its runtime config at /config.json, assets that never change
 * under a name (cached for a year), and index.html (revalidated every time) for every
 * other GET a browser makes, so client routes such as /lots/<id> survive a reload.
 */
export function webApp(options: WebAppOptions): Router {
  const router = Router();
  const index = join(options.dir, "index.html");
  if (!existsSync(index)) throw new Error(`no web page at ${index}; run npm run build -w apps/web`);
  const csp = contentSecurityPolicy(options.client);

  router.get("/config.json", (_req, res) => {
    res.set("cache-control", NO_CACHE).json(options.client);
  });
  router.use(
    "/assets",
    express.static(join(options.dir, "assets"), {
      index: false,
      setHeaders: (res) => res.set("cache-control", IMMUTABLE),
    }),
    // Never the page in place of a missing script: that would fail in confusing ways.
    (req) => {
      throw new Problem(404, "not-found", "Not found", `no asset ${req.path}`);
    },
  );
  router.use(
    express.static(options.dir, {
      index: false,
      setHeaders: (res) => res.set("cache-control", NO_CACHE),
    }),
  );
  router.get(/.*/, (req, res, next) => {
    if (API_PATHS.test(req.path) || !req.accepts("html")) return next();
    sendPage(res, index, csp);
  });
  return router;
}

function sendPage(res: Response, index: string, csp: string): void {
  res.set({ "cache-control": NO_CACHE, "content-security-policy": csp }).sendFile(index);
}

/** Helmet's policy, widened to the fronts the page talks to (and their ws: twins). */
export function contentSecurityPolicy(client: WebClientConfig): string {
  const origins = [client.bffUrl, client.pushUrl]
    .filter((url) => url !== "")
    .map((url) => new URL(url).origin);
  const sockets = origins.map((o) => o.replace(/^http/, "ws"));
  return [
    "default-src 'self'",
    "base-uri 'self'",
    "font-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "img-src 'self' data:",
    "object-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    `connect-src ${["'self'", ...new Set([...origins, ...sockets])].join(" ")}`,
  ].join("; ");
}
