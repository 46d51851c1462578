import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { answerHealth } from "./health.ts";

let ready = true;
const server = http.createServer((req, res) => {
  if (!answerHealth(req, res, () => ready)) res.writeHead(418).end("passed on");
});
let base = "";

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("answerHealth", () => {
  it("answers liveness always and readiness with 503 while not ready, never stored", async () => {
    ready = false;
    const live = await fetch(`${base}/healthz`);
    expect([live.status, await live.text(), live.headers.get("cache-control")]).toEqual([
      200,
      "ok",
      "no-store",
    ]);
    expect((await fetch(`${base}/readyz`)).status).toBe(503);
    ready = true;
    expect((await fetch(`${base}/readyz?probe=1`)).status).toBe(200);
  });

  it("passes on other paths and methods", async () => {
    expect((await fetch(`${base}/v1`)).status).toBe(418);
    expect((await fetch(`${base}/healthz`, { method: "POST" })).status).toBe(418);
  });
});
