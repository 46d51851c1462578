import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { freePort, untilHttpOk } from "../src/index.ts";

describe("untilHttpOk", () => {
  it("keeps asking through refusals and 503s, and answers ok at the first 2xx", async () => {
    let asked = 0;
    const server = createServer((_req, res) => {
      res.statusCode = ++asked < 3 ? 503 : 200;
      res.end();
    }).listen(0, "127.0.0.1");
    await once(server, "listening");
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/readyz`;
    try {
      expect(await untilHttpOk(url, { timeoutMs: 5_000, intervalMs: 10 })).toBe("ok");
      expect(asked).toBe(3);
    } finally {
      server.close();
    }
  });

  it("answers timeout when nothing listens, and gone as soon as the process has exited", async () => {
    const url = `http://127.0.0.1:${await freePort()}/healthz`;
    const started = Date.now();
    expect(await untilHttpOk(url, { timeoutMs: 300, intervalMs: 50 })).toBe("timeout");
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    let checks = 0;
    const gone = () => ++checks > 2;
    expect(await untilHttpOk(url, { timeoutMs: 60_000, intervalMs: 10, gone })).toBe("gone");
    expect(checks).toBe(3);
  });
});
