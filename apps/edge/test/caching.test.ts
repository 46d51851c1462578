import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import * as shapes from "../src/response-schemas.ts";
import { lotBody, postJson, signedInUser, startEdgeStack, type EdgeStack } from "./edge-stack.ts";

let stack: EdgeStack;
let base: string;

beforeAll(async () => {
  stack = await startEdgeStack(inject("natsUrl"));
  base = stack.base;
});

afterAll(async () => {
  expect(await stack.stop()).toEqual([0, 0, 0, 0]);
});

describe("HTTP caching", () => {
  it("gives a lot a strong ETag from its version, 304 for it, and a new one after a bid", async () => {
    const seller = await signedInUser(base);
    const lot = shapes.Lot.parse(
      await (await postJson(`${base}/v1/lots`, lotBody(), seller.auth)).json(),
    );
    const first = await fetch(`${base}/v1/lots/${lot.id}`);
    const etag = first.headers.get("etag")!;
    expect(etag).toMatch(/^"lot-.+-v\d+"$/);
    expect(first.headers.get("cache-control")).toBe("public, max-age=5, stale-while-revalidate=30");
    expect(first.headers.get("vary")).toMatch(/Authorization/);
    const again = await fetch(`${base}/v1/lots/${lot.id}`, { headers: { "if-none-match": etag } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe("");

    const bidder = await signedInUser(base);
    await postJson(
      `${base}/v1/lots/${lot.id}/bids`,
      { amount: { currency: "EUR", amount_minor: 1000 } },
      bidder.auth,
    );
    await expect
      .poll(
        async () =>
          (await fetch(`${base}/v1/lots/${lot.id}`, { headers: { "if-none-match": etag } })).status,
      )
      .toBe(200);
  });

  it("marks reads made with a token private, and writes and errors not storable", async () => {
    const user = await signedInUser(base);
    const lots = await fetch(`${base}/v1/lots`, { headers: user.auth });
    expect(lots.headers.get("cache-control")).toBe("private, no-cache");
    const created = await postJson(`${base}/v1/lots`, lotBody(), user.auth);
    expect(created.headers.get("cache-control")).toBe("no-store");
    const missing = await fetch(`${base}/v1/lots/nope`);
    expect(missing.headers.get("cache-control")).toBe("no-store");
  });

  it("compresses large responses with brotli or gzip as negotiated", async () => {
    const { request } = await import("undici");
    for (const encoding of ["br", "gzip"]) {
      const response = await request(`${base}/v1/openapi.json`, {
        headers: { "accept-encoding": encoding },
      });
      expect(response.headers["content-encoding"]).toBe(encoding);
      expect(response.headers.vary).toMatch(/Accept-Encoding/i);
      await response.body.dump();
    }
  });
});
