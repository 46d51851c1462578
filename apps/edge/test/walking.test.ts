import { Validator } from "@seriousme/openapi-schema-validator";
import { describe, expect, it } from "vitest";
import * as shapes from "../src/api/response-schemas.ts";
import { lotBody, postJson, signedInUser, useEdgeStack } from "./edge-stack.ts";

const stack = useEdgeStack();

describe("walking the API", () => {
  it("starts at /v1 and follows links to a lot, its bids and its seller", async () => {
    const root = shapes.ApiRoot.parse(await (await fetch(`${stack.base}/v1`)).json());
    expect(root._links.lots?.templated).toBe(true);
    const seller = await signedInUser(stack.base, "Ada");
    const created = await postJson(`${stack.base}/v1/lots`, lotBody(), seller.auth);
    expect(created.status).toBe(201);
    const lot = shapes.Lot.parse(await created.json());
    expect(created.headers.get("location")).toBe(`/v1/lots/${lot.id}`);
    expect(lot.reserve_price).toBeUndefined();

    const self = shapes.Lot.parse(
      await (await fetch(`${stack.base}${lot._links.self!.href}`)).json(),
    );
    expect(self.id).toBe(lot.id);
    const bids = shapes.BidPage.parse(
      await (await fetch(`${stack.base}${lot._links.bids!.href}`)).json(),
    );
    expect(bids.items).toEqual([]);
    const sellerProfile = shapes.User.parse(
      await (await fetch(`${stack.base}${lot._links.seller!.href}`)).json(),
    );
    expect(sellerProfile).toMatchObject({ id: seller.id, display_name: "Ada" });
    expect(sellerProfile.email).toBeUndefined();
    // No GAVEL_PUSH_PUBLIC_URL: the live feeds are on this origin, as behind the chart's
    // Ingress (npm start's absolute ones: scripts/dev/local-stack.test.ts).
    expect(lot._links.stream?.href).toBe(`/sse/lots/${lot.id}`);
    expect(lot._links.websocket?.href).toBe("/ws");
    expect(root._links.websocket?.href).toBe("/ws");
  });

  it("places a bid and shows it in the history and on the lot", async () => {
    const seller = await signedInUser(stack.base);
    const bidder = await signedInUser(stack.base);
    const lot = shapes.Lot.parse(
      await (await postJson(`${stack.base}/v1/lots`, lotBody(), seller.auth)).json(),
    );
    const placed = await postJson(
      `${stack.base}/v1/lots/${lot.id}/bids`,
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
      await (await fetch(`${stack.base}/v1/lots/${lot.id}/bids`)).json(),
    );
    expect(history.items.map((b) => b.id)).toEqual([bid.id]);
    await expect
      .poll(
        async () =>
          shapes.Lot.parse(await (await fetch(`${stack.base}/v1/lots/${lot.id}`)).json())
            .highest_bid?.amount_minor,
      )
      .toBe(1500);
  });

  it("pages lots with cursor links in the Link header and the body", async () => {
    const seller = await signedInUser(stack.base);
    for (let i = 0; i < 3; i++)
      await postJson(`${stack.base}/v1/lots`, lotBody({ title: `Lot ${i}` }), seller.auth);
    await expect
      .poll(
        async () =>
          shapes.LotPage.parse(
            await (await fetch(`${stack.base}/v1/lots?seller_id=${seller.id}`)).json(),
          ).total,
      )
      .toBe(3);
    const titles: string[] = [];
    let next: string | undefined = `/v1/lots?seller_id=${seller.id}&limit=2`;
    while (next) {
      const response = await fetch(`${stack.base}${next}`);
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
    const created = await postJson(`${stack.base}/v1/auth/sign-up`, {
      email,
      password: "correct horse battery",
      display_name: "New",
    });
    expect(created.status).toBe(201);
    const session = shapes.Session.parse(await created.json());
    expect(created.headers.get("location")).toBe(`/v1/users/${session.user.id}`);
    const me = await fetch(`${stack.base}/v1/me`, {
      headers: { authorization: `Bearer ${session.access_token}` },
    });
    expect(shapes.User.parse(await me.json()).email).toBe(email);
  });

  it("links back to the previous page", async () => {
    const seller = await signedInUser(stack.base);
    for (let i = 0; i < 3; i++)
      await postJson(`${stack.base}/v1/lots`, lotBody({ title: `Page ${i}` }), seller.auth);
    await expect
      .poll(
        async () =>
          shapes.LotPage.parse(
            await (await fetch(`${stack.base}/v1/lots?seller_id=${seller.id}`)).json(),
          ).total,
      )
      .toBe(3);
    const first = shapes.LotPage.parse(
      await (await fetch(`${stack.base}/v1/lots?seller_id=${seller.id}&limit=2`)).json(),
    );
    expect(first._links.prev).toBeUndefined();
    const second = await fetch(`${stack.base}${first._links.next!.href}`);
    const secondPage = shapes.LotPage.parse(await second.json());
    expect(second.headers.get("link")).toContain(`<${secondPage._links.prev!.href}>; rel="prev"`);
    const back = shapes.LotPage.parse(
      await (await fetch(`${stack.base}${secondPage._links.prev!.href}`)).json(),
    );
    expect(back.items.map((l) => l.id)).toEqual(first.items.map((l) => l.id));
  });

  it("shows a user their own email at /v1/me", async () => {
    const user = await signedInUser(stack.base, "Grace");
    const me = shapes.User.parse(
      await (await fetch(`${stack.base}/v1/me`, { headers: user.auth })).json(),
    );
    expect(me).toMatchObject({ id: user.id, email: user.email });
  });
});

describe("OpenAPI", () => {
  it("serves a document that a standard OpenAPI 3.1 validator accepts", async () => {
    const response = await fetch(`${stack.base}/v1/openapi.json`);
    expect(response.headers.get("content-type")).toMatch(/^application\/openapi\+json/);
    const doc = (await response.json()) as { openapi: string; paths: Record<string, unknown> };
    const result = await new Validator().validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(doc.openapi).toMatch(/^3\.1/);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        "/v1/lots",
        "/v1/lots/{id}",
        "/v1/lots/{id}/bids",
        "/v1/lots/{id}/invoice",
        "/v1/me/invoices",
      ]),
    );
  });

  it("has a browsable docs page", async () => {
    const page = await fetch(`${stack.base}/v1/docs`);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    expect(await page.text()).toContain("/v1/openapi.json");
  });
});
