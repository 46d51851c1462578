import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Problem } from "../http/problem.ts";
import { contentSecurityPolicy, webApp } from "./web-app.ts";

const client = {
  bffUrl: "http://127.0.0.1:4000",
  pushUrl: "http://127.0.0.1:8090",
  jaegerUrl: "",
  otlpTracesUrl: "/otlp/v1/traces",
  traceViewUrl: "/traces",
};
let dir: string;
let server: Server;
let base: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "gavel-web-"));
  mkdirSync(join(dir, "assets"));
  writeFileSync(join(dir, "index.html"), "<!doctype html><title>Gavel</title>");
  writeFileSync(join(dir, "assets", "main-ABC123.js"), "console.log(1)");
  const app = express();
  app.use(webApp({ dir, client }));
  app.use((_req, res) => void res.status(404).json({ type: "not-found" }));
  app.use(
    (err: Problem, _req: express.Request, res: express.Response, _next: express.NextFunction) =>
      void res.status(err.status).json({ type: err.type }),
  );
  server = app.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server?.close();
  rmSync(dir, { recursive: true, force: true });
});

const page = (path: string) => fetch(`${base}${path}`, { headers: { accept: "text/html" } });

describe("the web page at /", () => {
  it("serves index.html for / and for client routes, revalidated on every load", async () => {
    for (const path of ["/", "/lots/0193abc", "/sell"]) {
      const res = await page(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get("cache-control")).toBe("no-cache");
      expect(res.headers.get("content-security-policy")).toContain("connect-src 'self'");
      expect(await res.text()).toContain("<title>Gavel</title>");
    }
  });

  it("caches hashed assets for a year and answers a missing one with 404", async () => {
    const res = await fetch(`${base}/assets/main-ABC123.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    const missing = await fetch(`${base}/assets/main-GONE.js`, { headers: { accept: "*/*" } });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ type: "not-found" });
  });

  it("leaves API paths and non-HTML requests to the routes after it", async () => {
    for (const path of [
      "/v1/nope",
      "/graphql",
      "/sse/lots/x",
      "/tickets",
      "/otlp/v1/traces",
      "/traces/0af7651916cd43dd8448eb211c80319c",
    ]) {
      expect((await page(path)).status, path).toBe(404);
    }
    const json = await fetch(`${base}/somewhere`, { headers: { accept: "application/json" } });
    expect(json.status).toBe(404);
  });

  it("tells the page where the other fronts are, never cached", async () => {
    const res = await fetch(`${base}/config.json`);
    expect(res.headers.get("cache-control")).toBe("no-cache");
    expect(await res.json()).toEqual(client);
  });

  it("lets the page connect to the BFF and push origins over HTTP and WebSocket", () => {
    const csp = contentSecurityPolicy(client);
    expect(csp).toContain(
      "connect-src 'self' http://127.0.0.1:4000 http://127.0.0.1:8090 ws://127.0.0.1:4000 ws://127.0.0.1:8090",
    );
    expect(contentSecurityPolicy({ ...client, bffUrl: "", pushUrl: "" })).toMatch(
      /connect-src 'self'$/,
    );
  });
});
