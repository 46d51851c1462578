import { beforeAll, describe, expect, it } from "vitest";
import * as shapes from "../src/api/response-schemas.ts";
import { lotBody, postJson, signedInUser, useEdgeStack } from "./edge-stack.ts";

type User = Awaited<ReturnType<typeof signedInUser>>;
type Lot = ReturnType<typeof shapes.Lot.parse>;

const stack = useEdgeStack({}, { settlement: true });
let seller: User;
let buyer: User;
/** Two lots sold to the buyer and one that closed without a bid. */
let sold: [Lot, Lot];
let unsold: Lot;

beforeAll(async () => {
  [seller, buyer] = await Promise.all([
    signedInUser(stack.base, "Seller"),
    signedInUser(stack.base, "Buyer"),
  ]);
  // All three end together in ~3 s: the file waits for one close, not three.
  const endsAt = new Date(Date.now() + 3_000).toISOString();
  const create = async (title: string) => {
    const body = lotBody({ title, ends_at: endsAt, snipe_window_seconds: 1 });
    return shapes.Lot.parse(
      await (await postJson(`${stack.base}/v1/lots`, body, seller.auth)).json(),
    );
  };
  const bid = async (lot: Lot, amount_minor: number) => {
    const body = { amount: { currency: "EUR", amount_minor } };
    const placed = await postJson(`${stack.base}/v1/lots/${lot.id}/bids`, body, buyer.auth);
    expect(placed.status).toBe(201);
  };
  const [first, second] = await Promise.all([create("First sold"), create("Second sold")]);
  sold = [first, second];
  [unsold] = await Promise.all([create("Nobody bid"), bid(first, 1500), bid(second, 2000)]);
}, 30_000);

async function lot(id: string): Promise<Lot> {
  return shapes.Lot.parse(await (await fetch(`${stack.base}/v1/lots/${id}`)).json());
}

/** The invoice as `user` reads it, once settlement has issued it. */
async function issuedInvoice(lotId: string, user: User): Promise<Response> {
  const read = () => fetch(`${stack.base}/v1/lots/${lotId}/invoice`, { headers: user.auth });
  await expect
    .poll(async () => (await read()).status, { timeout: 10_000, interval: 100 })
    .toBe(200);
  return read();
}

async function problemOf(response: Response) {
  expect(response.headers.get("content-type")).toMatch(/^application\/problem\+json/);
  return shapes.Problem.parse(await response.json());
}

describe("a lot's invoice", () => {
  it("is linked from the lot only once the lot closed sold", async () => {
    const [first] = sold;
    expect(first._links.invoice).toBeUndefined();
    await expect.poll(async () => (await lot(first.id)).status, { timeout: 10_000 }).toBe("closed");
    const closed = await lot(first.id);
    expect(closed.winner_id).toBe(buyer.id);
    expect(closed._links.invoice).toEqual({
      href: `/v1/lots/${first.id}/invoice`,
      title: "buyer and seller only",
    });
    await expect
      .poll(async () => (await lot(unsold.id)).status, { timeout: 10_000 })
      .toBe("closed");
    expect((await lot(unsold.id))._links.invoice).toBeUndefined();
  });

  it("answers its buyer and its seller, with the fees, a day of private caching and 304", async () => {
    const [first] = sold;
    for (const user of [buyer, seller]) {
      const response = await issuedInvoice(first.id, user);
      const invoice = shapes.Invoice.parse(await response.json());
      expect(invoice).toMatchObject({
        lot_id: first.id,
        lot_title: "First sold",
        buyer_id: buyer.id,
        seller_id: seller.id,
        hammer_price: { currency: "EUR", amount_minor: 1500, amount: "15.00" },
        buyers_premium: { amount_minor: 375 },
        buyer_total: { amount_minor: 1875, amount: "18.75" },
        sellers_commission: { amount_minor: 150 },
        seller_payout: { amount_minor: 1350 },
        fee_schedule: expect.any(String),
      });
      expect(invoice._links.self?.href).toBe(`/v1/lots/${first.id}/invoice`);
      expect(invoice._links.lot?.href).toBe(`/v1/lots/${first.id}`);
      expect(response.headers.get("cache-control")).toBe("private, max-age=86400");
      expect(response.headers.get("vary")).toMatch(/Authorization/);
      const etag = response.headers.get("etag")!;
      expect(etag).toBe(`"invoice-${first.id}"`);
      const again = await fetch(`${stack.base}/v1/lots/${first.id}/invoice`, {
        headers: { ...user.auth, "if-none-match": etag },
      });
      expect(again.status).toBe(304);
      expect(await again.text()).toBe("");
    }
  });

  it("refuses anyone else with 403, even one who knows the ETag", async () => {
    const [first] = sold;
    await issuedInvoice(first.id, buyer);
    const stranger = await signedInUser(stack.base, "Stranger");
    const refused = await fetch(`${stack.base}/v1/lots/${first.id}/invoice`, {
      headers: { ...stranger.auth, "if-none-match": `"invoice-${first.id}"` },
    });
    expect(refused.status).toBe(403);
    expect(refused.headers.get("cache-control")).toBe("no-store");
    expect(await problemOf(refused)).toMatchObject({ status: 403, title: "Not allowed" });
  });

  it("is 404 for a lot without one, 401 without a token and 400 for a malformed id", async () => {
    const open = shapes.Lot.parse(
      await (await postJson(`${stack.base}/v1/lots`, lotBody(), seller.auth)).json(),
    );
    const missing = await fetch(`${stack.base}/v1/lots/${open.id}/invoice`, {
      headers: seller.auth,
    });
    expect(missing.status).toBe(404);
    expect((await problemOf(missing)).type).toMatch(/\/not-found$/);

    const anonymous = await fetch(`${stack.base}/v1/lots/${open.id}/invoice`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("www-authenticate")).toMatch(/^Bearer/);
    await problemOf(anonymous);

    const malformed = await fetch(`${stack.base}/v1/lots/not%20an%20id/invoice`, {
      headers: buyer.auth,
    });
    expect(malformed.status).toBe(400);
    expect((await problemOf(malformed)).errors?.[0]?.field).toBe("path.id");
  });
});

/** Follows the next links from `first` and returns every invoice, in order. */
async function walk(first: string, user: User) {
  const invoices: Array<ReturnType<typeof shapes.Invoice.parse>> = [];
  let next: string | undefined = first;
  while (next) {
    const response = await fetch(`${stack.base}${next}`, { headers: user.auth });
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("private, no-cache");
    expect(response.headers.get("link")).toContain('rel="first"');
    const page = shapes.InvoicePage.parse(await response.json());
    invoices.push(...page.items);
    next = page._links.next?.href;
    if (next) expect(response.headers.get("link")).toContain(`<${next}>; rel="next"`);
  }
  return invoices;
}

describe("the signed-in user's invoices", () => {
  it("pages the buyer's invoices newest first with next links", async () => {
    await Promise.all(sold.map((lot) => issuedInvoice(lot.id, buyer)));
    // The list follows the invoices' stream a moment behind the invoices themselves.
    await expect
      .poll(async () => (await walk("/v1/me/invoices?role=buyer&limit=1", buyer)).length)
      .toBe(2);
    const invoices = await walk("/v1/me/invoices?role=buyer&limit=1", buyer);
    expect(invoices.map((i) => i.lot_id).sort()).toEqual(sold.map((l) => l.id).sort());
    const issued = invoices.map((i) => Date.parse(i.issued_at!));
    expect(issued[0]).toBeGreaterThanOrEqual(issued[1]!);
  });

  it("lists the seller's side apart from the buyer's, and needs a role and a token", async () => {
    await Promise.all(sold.map((lot) => issuedInvoice(lot.id, seller)));
    await expect
      .poll(async () => (await walk("/v1/me/invoices?role=seller", seller)).length)
      .toBe(2);
    expect(await walk("/v1/me/invoices?role=buyer", seller)).toEqual([]);

    const noRole = await fetch(`${stack.base}/v1/me/invoices`, { headers: seller.auth });
    expect(noRole.status).toBe(400);
    expect((await problemOf(noRole)).errors?.[0]?.field).toBe("query.role");
    expect((await fetch(`${stack.base}/v1/me/invoices?role=buyer`)).status).toBe(401);
  });
});
