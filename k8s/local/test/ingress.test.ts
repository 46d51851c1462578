import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, beforeAll, expect, test } from "vitest";
import { SseFollower, WsFollower, type Follower } from "@gavel/testing";
import { ingressUrl, signUp } from "./cluster.ts";

// The chart's two Ingresses, served by the cluster's Traefik (ingress class `traefik`,
// values-local.yaml): one origin for the REST edge, the GraphQL BFF and the push
// gateway, so the links a lot carries work as they are, and streams held through it.

/** Past the 60 s read timeouts proxies default to (Traefik's entry points, ingress-nginx). */
const HOLD_MS = 65_000;

let ingress: string;
const followers: Follower[] = [];

beforeAll(async () => {
  ingress = await ingressUrl();
});

afterEach(() => {
  for (const follower of followers.splice(0)) follower.stop();
});

async function send(method: string, path: string, token: string, body?: unknown) {
  const res = await fetch(`${ingress}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      "content-type": "application/json",
      "idempotency-key": randomUUID(),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function until(what: string, holds: () => boolean, timeoutMs = 15_000): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; !holds(); await sleep(100))
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
}

test("routes /v1 to the edge, /graphql to the BFF and /tickets to the push gateway", async () => {
  const user = await signUp("ingress-routes");
  const lots = await fetch(`${ingress}/v1/lots`);
  expect(lots.status).toBe(200);
  expect(await lots.json()).toHaveProperty("items");

  const graphql = await fetch(`${ingress}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${user.token}` },
    body: JSON.stringify({ query: "{ viewer { user { id } } }" }),
  });
  expect(await graphql.json()).toEqual({ data: { viewer: { user: { id: user.id } } } });

  const ticket = await send("POST", "/tickets", user.token);
  expect(ticket.status).toBe(201);
  expect(ticket.body).toHaveProperty("ticket");
});

test(
  "a WebSocket and an SSE stream, from a lot's links, hold past a minute and see every bid",
  async () => {
    const [seller, first, second] = await Promise.all(
      ["ingress-seller", "ingress-first", "ingress-second"].map((name) => signUp(name)),
    );
    const listed = await send("POST", "/v1/lots", seller!.token, {
      title: "Held through the Ingress",
      starting_price: { currency: "EUR", amount_minor: 10_00 },
      ends_at: new Date(Date.now() + 10 * 60_000).toISOString(),
    });
    expect(listed.status).toBe(201);
    const lot = listed.body as { id: string; _links: Record<string, { href: string }> };
    // Relative links: on the Ingress's one origin they reach the push gateway as they are.
    expect(lot._links.stream!.href).toBe(`/sse/lots/${lot.id}`);
    expect(lot._links.websocket!.href).toBe("/ws");

    const sse = new SseFollower(ingress, lot.id);
    const ws = new WsFollower(ingress, `lot:${lot.id}`, first!.token);
    followers.push(sse, ws);
    await Promise.all([sse.start(), ws.start()]);

    const bid = async (bidder: { token: string }, amountMinor: number) => {
      const placed = await send("POST", `/v1/lots/${lot.id}/bids`, bidder.token, {
        amount: { currency: "EUR", amount_minor: amountMinor },
        bid_id: randomUUID(),
      });
      expect(placed.status, JSON.stringify(placed.body)).toBe(201);
      const sequence = placed.body.sequence as number;
      await until(`bid ${sequence} on both streams`, () =>
        [sse, ws].every((f) => f.seqs.includes(sequence)),
      );
      return sequence;
    };
    const early = await bid(first!, 20_00);
    await sleep(HOLD_MS);
    const late = await bid(second!, 30_00);

    // One connection each all along: the lot's opening, then both bids, in order.
    for (const follower of [sse, ws]) {
      expect(follower.seqs, follower.kind).toEqual([sse.seqs[0], early, late]);
      expect(follower.drops.toString(), follower.kind).toBe("");
    }
  },
  HOLD_MS + 60_000,
);
