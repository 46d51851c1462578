import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import * as shapes from "../src/api/response-schemas.ts";
import { lotBody, postJson, signedInUser, useEdgeStack } from "./edge-stack.ts";

const stack = useEdgeStack();

const keyed = (auth: Record<string, string>, key: string) => ({
  ...auth,
  "idempotency-key": key,
});

/** A seller's lots, once the list shows `last` (lists are fed asynchronously). */
async function lotsOf(sellerId: string, last: string): Promise<string[]> {
  let ids: string[] = [];
  await expect
    .poll(async () => {
      const page = shapes.LotPage.parse(
        await (await fetch(`${stack.base}/v1/lots?seller_id=${sellerId}`)).json(),
      );
      ids = page.items.map((l) => l.id);
      return ids;
    })
    .toContain(last);
  return ids;
}

describe("idempotency keys", () => {
  it("replays a retried POST /v1/lots with the same key and creates one lot", async () => {
    const seller = await signedInUser(stack.base);
    const key = randomUUID();
    const body = lotBody({ title: "A replayed lamp" });
    const first = await postJson(`${stack.base}/v1/lots`, body, keyed(seller.auth, key));
    const retry = await postJson(`${stack.base}/v1/lots`, body, keyed(seller.auth, key));

    expect(first.status).toBe(201);
    expect(first.headers.get("idempotent-replayed")).toBeNull();
    expect(retry.status).toBe(201);
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    const [lot, replayed] = [shapes.Lot.parse(await first.json()), await retry.json()];
    expect(replayed).toEqual(lot);
    expect(retry.headers.get("location")).toBe(`/v1/lots/${lot.id}`);
    expect(retry.headers.get("etag")).toBe(first.headers.get("etag"));

    // A lot listed after both: once the list shows it, it shows everything before it.
    const later = shapes.Lot.parse(
      await (await postJson(`${stack.base}/v1/lots`, lotBody(), seller.auth)).json(),
    );
    expect(await lotsOf(seller.id, later.id)).toEqual([later.id, lot.id]);
  });

  it("refuses the same key with a different body with 422", async () => {
    const seller = await signedInUser(stack.base);
    const key = randomUUID();
    const first = await postJson(`${stack.base}/v1/lots`, lotBody(), keyed(seller.auth, key));
    expect(first.status).toBe(201);
    const other = await postJson(
      `${stack.base}/v1/lots`,
      lotBody({ title: "Something else" }),
      keyed(seller.auth, key),
    );
    expect(other.status).toBe(422);
    expect(other.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    expect(shapes.Problem.parse(await other.json()).type).toBe(
      "https://gavel.dev/problems/idempotency-key-reused",
    );
  });

  it("counts a bid retried with the same key once", async () => {
    const seller = await signedInUser(stack.base);
    const bidder = await signedInUser(stack.base);
    const lot = shapes.Lot.parse(
      await (await postJson(`${stack.base}/v1/lots`, lotBody(), seller.auth)).json(),
    );
    const key = randomUUID();
    const bid = { amount: { currency: "EUR", amount_minor: 1500 } };
    const url = `${stack.base}/v1/lots/${lot.id}/bids`;
    const first = await postJson(url, bid, keyed(bidder.auth, key));
    const retry = await postJson(url, bid, keyed(bidder.auth, key));

    expect([first.status, retry.status]).toEqual([201, 201]);
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    const placed = shapes.Bid.parse(await first.json());
    expect(shapes.Bid.parse(await retry.json()).id).toBe(placed.id);
    const history = shapes.BidPage.parse(await (await fetch(url)).json());
    expect(history.items.map((b) => b.id)).toEqual([placed.id]);
  });

  it("runs concurrent requests with one key once: the others replay it or get 409 with Retry-After", async () => {
    const seller = await signedInUser(stack.base);
    const key = randomUUID();
    const body = lotBody();
    const responses = await Promise.all(
      Array.from({ length: 5 }, () =>
        postJson(`${stack.base}/v1/lots`, body, keyed(seller.auth, key)),
      ),
    );
    const ran = responses.filter((r) => r.status === 201 && !r.headers.has("idempotent-replayed"));
    expect(ran).toHaveLength(1);
    for (const res of responses.filter((r) => r !== ran[0])) {
      if (res.status === 201) expect(res.headers.get("idempotent-replayed")).toBe("true");
      else {
        expect(res.status).toBe(409);
        expect(res.headers.get("retry-after")).toBe("1");
        expect(shapes.Problem.parse(await res.json()).type).toBe(
          "https://gavel.dev/problems/idempotency-key-in-progress",
        );
      }
    }
  });

  it("refuses a malformed key with 400 and scopes keys to the caller", async () => {
    const [a, b] = [await signedInUser(stack.base), await signedInUser(stack.base)];
    const bad = await postJson(`${stack.base}/v1/lots`, lotBody(), keyed(a.auth, "not a key!"));
    expect(bad.status).toBe(400);
    expect(shapes.Problem.parse(await bad.json()).type).toBe(
      "https://gavel.dev/problems/invalid-idempotency-key",
    );

    const key = randomUUID();
    const body = lotBody();
    const mine = await postJson(`${stack.base}/v1/lots`, body, keyed(a.auth, key));
    const theirs = await postJson(`${stack.base}/v1/lots`, body, keyed(b.auth, key));
    expect([mine.status, theirs.status]).toEqual([201, 201]);
    expect(theirs.headers.get("idempotent-replayed")).toBeNull();
    expect(shapes.Lot.parse(await theirs.json()).seller_id).toBe(b.id);
  });
});
