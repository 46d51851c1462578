import { Validator } from "@seriousme/openapi-schema-validator";
import { once } from "node:events";
import { connect } from "node:net";
import { startService } from "@gavel/testing";
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

describe("walking the API", () => {
  it("starts at /v1 and follows links to a lot, its bids and its seller", async () => {
    const root = shapes.ApiRoot.parse(await (await fetch(`${base}/v1`)).json());
    expect(root._links.lots?.templated).toBe(true);
    const seller = await signedInUser(base, "Ada");
    const created = await postJson(`${base}/v1/lots`, lotBody(), seller.auth);
    expect(created.status).toBe(201);
    const lot = shapes.Lot.parse(await created.json());
    expect(created.headers.get("location")).toBe(`/v1/lots/${lot.id}`);
    expect(lot.reserve_price).toBeUndefined();

    const self = shapes.Lot.parse(await (await fetch(`${base}${lot._links.self!.href}`)).json());
    expect(self.id).toBe(lot.id);
    const bids = shapes.BidPage.parse(
      await (await fetch(`${base}${lot._links.bids!.href}`)).json(),
    );
    expect(bids.items).toEqual([]);
    const sellerProfile = shapes.User.parse(
      await (await fetch(`${base}${lot._links.seller!.href}`)).json(),
    );
    expect(sellerProfile).toMatchObject({ id: seller.id, display_name: "Ada" });
    expect(sellerProfile.email).toBeUndefined();
    expect(lot._links.stream?.href).toBe(`/v1/stream/lots/${lot.id}`);
  });

  it("places a bid and shows it in the history and on the lot", async () => {
    const seller = await signedInUser(base);
    const bidder = await signedInUser(base);
    const lot = shapes.Lot.parse(
      await (await postJson(`${base}/v1/lots`, lotBody(), seller.auth)).json(),
    );
    const placed = await postJson(
      `${base}/v1/lots/${lot.id}/bids`,
      { amount: { currency: "EUR", amount_minor: 1500 } },
      bidder.auth,
    );
    expect(placed.status).toBe(201);
    const bid = shapes.Bid.parse(await placed.json());
    expect(bid).toMatchObject({
      bidder_id: bidder.id,
      amount: { amount_minor: 1500, amount: "15.00" },
    });
    const history = shapes.BidPage.parse(
      await (await fetch(`${base}/v1/lots/${lot.id}/bids`)).json(),
    );
    expect(history.items.map((b) => b.id)).toEqual([bid.id]);
    await expect
      .poll(
        async () =>
          shapes.Lot.parse(await (await fetch(`${base}/v1/lots/${lot.id}`)).json()).highest_bid
            ?.amount_minor,
      )
      .toBe(1500);
  });

  it("pages lots with cursor links in the Link header and the body", async () => {
    const seller = await signedInUser(base);
    for (let i = 0; i < 3; i++)
      await postJson(`${base}/v1/lots`, lotBody({ title: `Lot ${i}` }), seller.auth);
    await expect
      .poll(
        async () =>
          shapes.LotPage.parse(await (await fetch(`${base}/v1/lots?seller_id=${seller.id}`)).json())
            .total,
      )
      .toBe(3);
    const titles: string[] = [];
    let next: string | undefined = `/v1/lots?seller_id=${seller.id}&limit=2`;
    while (next) {
      const response = await fetch(`${base}${next}`);
      const page = shapes.LotPage.parse(await response.json());
      titles.push(...page.items.map((l) => l.title));
      expect(response.headers.get("link")).toContain('rel="first"');
      next = page._links.next?.href;
      if (next) expect(response.headers.get("link")).toContain(`<${next}>; rel="next"`);
    }
    expect(titles).toEqual(["Lot 2", "Lot 1", "Lot 0"]);
  });

  it("signs a new user in at sign-up, with a token that works at once", async () => {
    const email = `new-${Date.now()}@example.com`;
    const created = await postJson(`${base}/v1/auth/sign-up`, {
      email,
      password: "correct horse battery",
      display_name: "New",
    });
    expect(created.status).toBe(201);
    const session = shapes.Session.parse(await created.json());
    expect(created.headers.get("location")).toBe(`/v1/users/${session.user.id}`);
    const me = await fetch(`${base}/v1/me`, {
      headers: { authorization: `Bearer ${session.access_token}` },
    });
    expect(shapes.User.parse(await me.json()).email).toBe(email);
  });

  it("links back to the previous page", async () => {
    const seller = await signedInUser(base);
    for (let i = 0; i < 3; i++)
      await postJson(`${base}/v1/lots`, lotBody({ title: `Page ${i}` }), seller.auth);
    await expect
      .poll(
        async () =>
          shapes.LotPage.parse(await (await fetch(`${base}/v1/lots?seller_id=${seller.id}`)).json())
            .total,
      )
      .toBe(3);
    const first = shapes.LotPage.parse(
      await (await fetch(`${base}/v1/lots?seller_id=${seller.id}&limit=2`)).json(),
    );
    expect(first._links.prev).toBeUndefined();
    const second = await fetch(`${base}${first._links.next!.href}`);
    const secondPage = shapes.LotPage.parse(await second.json());
    expect(second.headers.get("link")).toContain(`<${secondPage._links.prev!.href}>; rel="prev"`);
    const back = shapes.LotPage.parse(
      await (await fetch(`${base}${secondPage._links.prev!.href}`)).json(),
    );
    expect(back.items.map((l) => l.id)).toEqual(first.items.map((l) => l.id));
  });

  it("shows a user their own email at /v1/me", async () => {
    const user = await signedInUser(base, "Grace");
    const me = shapes.User.parse(
      await (await fetch(`${base}/v1/me`, { headers: user.auth })).json(),
    );
    expect(me).toMatchObject({ id: user.id, email: user.email });
  });
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

describe("errors are problem+json with the right status, never a 5xx", () => {
  const cases: Array<[string, () => Promise<Response>, number, RegExp?]> = [];
  const bad = (name: string, call: () => Promise<Response>, status: number, detail?: RegExp) =>
    cases.push([name, call, status, detail]);
  bad(
    "malformed JSON",
    () =>
      fetch(`${base}/v1/auth/sign-in`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{not json",
      }),
    400,
  );
  bad(
    "unknown field",
    () => postJson(`${base}/v1/auth/sign-in`, { email: "a@b.c", password: "x", admin: true }),
    400,
    /body\.admin: unknown field/,
  );
  bad(
    "wrong types",
    () => postJson(`${base}/v1/auth/sign-up`, { email: 5, password: [], display_name: null }),
    400,
    /body\.email/,
  );
  bad(
    "a huge body",
    () => postJson(`${base}/v1/auth/sign-in`, { email: "x".repeat(200_000), password: "p" }),
    413,
  );
  bad(
    "a form body",
    () =>
      fetch(`${base}/v1/auth/sign-in`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: "email=a",
      }),
    415,
  );
  bad("a bad lot id", () => fetch(`${base}/v1/lots/a.b`), 400, /path\.id/);
  bad("an unknown lot", () => fetch(`${base}/v1/lots/0197a4b2-7c1e-7000-8000-000000000000`), 404);
  bad("a bad cursor", () => fetch(`${base}/v1/lots?cursor=garbage`), 400);
  bad(
    "an unknown query parameter",
    () => fetch(`${base}/v1/lots?colour=red`),
    400,
    /query\.colour/,
  );
  bad("a limit out of range", () => fetch(`${base}/v1/lots?limit=1000`), 400, /query\.limit/);
  bad("a wrong method", () => fetch(`${base}/v1/lots/x`, { method: "DELETE" }), 405);
  bad("an unknown path", () => fetch(`${base}/v2/lots`), 404);
  bad("a missing token on a write", () => postJson(`${base}/v1/lots`, lotBody()), 401);
  bad(
    "a forged token",
    () => fetch(`${base}/v1/me`, { headers: { authorization: "Bearer abc.def.ghi" } }),
    401,
  );

  it.each(cases.map(([name, call, status, detail]) => ({ name, call, status, detail })))(
    "answers $name with $status",
    async ({ call, status, detail }) => {
      const response = await call();
      expect(response.status).toBe(status);
      expect(response.headers.get("content-type")).toMatch(/^application\/problem\+json/);
      const problem = shapes.Problem.parse(await response.json());
      expect(problem.status).toBe(status);
      expect(problem.type).toMatch(/^https:\/\/gavel\.dev\/problems\//);
      if (detail) expect(problem.detail).toMatch(detail);
    },
  );

  it("says how to authenticate on a 401, and refuses a stranger cancelling a lot with 403", async () => {
    const anonymous = await postJson(`${base}/v1/lots`, lotBody());
    expect(anonymous.headers.get("www-authenticate")).toMatch(/^Bearer realm="gavel"/);
    const seller = await signedInUser(base);
    const stranger = await signedInUser(base);
    const lot = shapes.Lot.parse(
      await (await postJson(`${base}/v1/lots`, lotBody(), seller.auth)).json(),
    );
    const refused = await postJson(`${base}/v1/lots/${lot.id}/cancel`, {}, stranger.auth);
    expect(refused.status).toBe(403);
    const cancelled = await postJson(
      `${base}/v1/lots/${lot.id}/cancel`,
      { reason: "withdrawn" },
      seller.auth,
    );
    expect(shapes.Lot.parse(await cancelled.json()).status).toBe("cancelled");
  });

  it("turns a refused bid into a 409 that names the reason and the minimum", async () => {
    const seller = await signedInUser(base);
    const lot = shapes.Lot.parse(
      await (await postJson(`${base}/v1/lots`, lotBody(), seller.auth)).json(),
    );
    const low = await postJson(
      `${base}/v1/lots/${lot.id}/bids`,
      { amount: { currency: "EUR", amount_minor: 1 } },
      (await signedInUser(base)).auth,
    );
    expect(low.status).toBe(409);
    const problem = shapes.Problem.parse(await low.json());
    expect(problem).toMatchObject({ reason: "too_low", minimum_next_bid: { amount_minor: 1000 } });
    const own = await postJson(
      `${base}/v1/lots/${lot.id}/bids`,
      { amount: { currency: "EUR", amount_minor: 5000 } },
      seller.auth,
    );
    expect(own.status).toBe(403);
  });
});

describe("browsers and operations", () => {
  it("answers CORS preflights for allowed origins only, exposing the caching headers", async () => {
    const preflight = (origin: string) =>
      fetch(`${base}/v1/lots`, {
        method: "OPTIONS",
        headers: {
          origin,
          "access-control-request-method": "POST",
          "access-control-request-headers": "authorization,content-type",
        },
      });
    const allowed = await preflight("http://localhost:8080");
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get("access-control-allow-origin")).toBe("http://localhost:8080");
    expect(allowed.headers.get("access-control-allow-headers")).toMatch(/Authorization/);
    const refused = await preflight("https://evil.example");
    expect(refused.headers.get("access-control-allow-origin")).toBeNull();
    const read = await fetch(`${base}/v1`, { headers: { origin: "http://localhost:8080" } });
    expect(read.headers.get("access-control-expose-headers")).toMatch(/ETag/);
  });

  it("sends helmet's security headers", async () => {
    const response = await fetch(`${base}/v1`);
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("strict-transport-security")).toMatch(/max-age/);
    expect(response.headers.get("x-powered-by")).toBeNull();
  });

  it("cuts off a client that sends its request too slowly with 408", async () => {
    const edge = await startService("edge", {
      ...stack.upstreamEnv,
      GAVEL_REQUEST_TIMEOUT_MS: "1000",
    });
    try {
      const { port } = new URL(edge.rpcUrl);
      const socket = connect(Number(port), "127.0.0.1");
      const started = Date.now();
      socket.write(
        "POST /v1/auth/sign-in HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{",
      );
      let answer = "";
      socket.on("data", (chunk: Buffer) => (answer += chunk.toString()));
      await once(socket, "close");
      expect(answer).toMatch(/^HTTP\/1\.1 408/);
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await edge.stop();
    }
  });

  it("drains and exits cleanly on SIGTERM, answering not ready meanwhile", async () => {
    const edge = await startService("edge", stack.upstreamEnv);
    expect((await fetch(`${edge.rpcUrl}/readyz`)).status).toBe(200);
    expect(await edge.stop("SIGTERM")).toBe(0);
    expect(edge.logs.some((l) => l.msg === "stopped")).toBe(true);
  });
});

describe("OpenAPI", () => {
  it("serves a document that a standard OpenAPI 3.1 validator accepts", async () => {
    const response = await fetch(`${base}/v1/openapi.json`);
    expect(response.headers.get("content-type")).toMatch(/^application\/openapi\+json/);
    const doc = (await response.json()) as { openapi: string; paths: Record<string, unknown> };
    const result = await new Validator().validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(doc.openapi).toMatch(/^3\.1/);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(["/v1/lots", "/v1/lots/{id}", "/v1/lots/{id}/bids"]),
    );
  });

  it("has a browsable docs page", async () => {
    const page = await fetch(`${base}/v1/docs`);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    expect(await page.text()).toContain("/v1/openapi.json");
  });
});
