import { describe, expect, it } from "vitest";
import * as shapes from "../src/api/response-schemas.ts";
import { lotBody, postJson, signedInUser, useEdgeStack } from "./edge-stack.ts";

const stack = useEdgeStack();

describe("HTTP caching", () => {
  it("gives a lot a strong ETag from its version, 304 for it, and a new one after a bid", async () => {
    const seller = await signedInUser(stack.base);
    const lot = shapes.Lot.parse(
      await (await postJson(`${stack.base}/v1/lots`, lotBody(), seller.auth)).json(),
    );
    const first = await fetch(`${stack.base}/v1/lots/${lot.id}`);
    const etag = first.headers.get("etag")!;
    expect(etag).toMatch(/^"lot-.+-v\d+"$/);
    expect(first.headers.get("cache-control")).toBe("public, max-age=5, stale-while-revalidate=30");
    expect(first.headers.get("vary")).toMatch(/Authorization/);
    const again = await fetch(`${stack.base}/v1/lots/${lot.id}`, {
      headers: { "if-none-match": etag },
    });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe("");

    const bidder = await signedInUser(stack.base);
    await postJson(
      `${stack.base}/v1/lots/${lot.id}/bids`,
      { amount: { currency: "EUR", amount_minor: 1000 } },
      bidder.auth,
    );
    await expect
      .poll(
        async () =>
          (await fetch(`${stack.base}/v1/lots/${lot.id}`, { headers: { "if-none-match": etag } }))
            .status,
      )
      .toBe(200);
  });

  it("marks reads made with a token private, and writes and errors not storable", async () => {
    const user = await signedInUser(stack.base);
    const lots = await fetch(`${stack.base}/v1/lots`, { headers: user.auth });
    expect(lots.headers.get("cache-control")).toBe("private, no-cache");
    const created = await postJson(`${stack.base}/v1/lots`, lotBody(), user.auth);
    expect(created.headers.get("cache-control")).toBe("no-store");
    const missing = await fetch(`${stack.base}/v1/lots/nope`);
    expect(missing.headers.get("cache-control")).toBe("no-store");
  });

  it("compresses large responses with brotli or gzip as negotiated", async () => {
    const { request } = await import("undici");
    for (const encoding of ["br", "gzip"]) {
      const response = await request(`${stack.base}/v1/openapi.json`, {
        headers: { "accept-encoding": encoding },
      });
      expect(response.headers["content-encoding"]).toBe(encoding);
      expect(response.headers.vary).toMatch(/Accept-Encoding/i);
      await response.body.dump();
    }
  });
});
