import { randomInt, randomUUID } from "node:crypto";
import { setTimeout as delay } from "node:timers/promises";
import { lotBody } from "../edge-stack.ts";

/**
 * One simulated client: its own address (the edge trusts X-Forwarded-For from loopback,
 * as from the chart's ingress) and its own signed-in user, so the default per-IP and
 * per-user limits apply to each as to a real client, and the requests of this file never
 * spend 127.0.0.1's window, which the next test files share.
 */
export interface Client {
  ip: string;
  userId: string;
  auth: Record<string, string>;
}

/** What the document cannot know, made through the edge before any property runs. */
export interface Fixtures {
  clients: Client[];
  /** One open lot per client, priced in EUR, ending in an hour. */
  lots: Array<{ id: string; seller: number; currency: string }>;
  /** Closed, sold to clients[1] by clients[0], its invoice issued. */
  soldLotId: string;
  /** The queries of real next links of GET /v1/lots (a cursor is bound to its listing). */
  lotPages: Array<Record<string, string>>;
  /** Real cursors of GET /v1/lots/{id}/bids. */
  bidCursors: string[];
}

export async function makeFixtures(base: string, clientCount: number): Promise<Fixtures> {
  const subnet = `198.18.${randomInt(256)}`;
  const setup = `${subnet}.250`; // the fixtures' own polling, off every client's quota
  const clients = await Promise.all(
    Array.from({ length: clientCount }, (_, i) => signUp(base, `${subnet}.${i + 1}`, i)),
  );
  const send = (client: Client | undefined, path: string, body?: unknown) =>
    call(base, client?.ip ?? setup, path, client?.auth ?? {}, body);

  const endsSoon = new Date(Date.now() + 3_000).toISOString();
  const [sold, ...open] = await Promise.all([
    send(clients[0], "/v1/lots", lotBody({ ends_at: endsSoon, snipe_window_seconds: 1 })),
    ...clients.map((c) => send(c, "/v1/lots", lotBody())),
  ]);
  const soldLotId = (sold as { id: string }).id;
  const lots = open.map((lot, seller) => ({
    id: (lot as { id: string }).id,
    seller,
    currency: "EUR",
  }));
  await send(clients[1], `/v1/lots/${soldLotId}/bids`, {
    amount: { currency: "EUR", amount_minor: 1500 },
  });
  for (const [i, amount_minor] of [
    [1, 1100],
    [2, 1200],
  ] as const)
    await send(clients[i], `/v1/lots/${lots[0]!.id}/bids`, {
      amount: { currency: "EUR", amount_minor },
    });

  const nextOf = async (path: string) => {
    const page = (await send(undefined, path)) as { _links: { next?: { href: string } } };
    if (!page._links.next) throw new Error(`fixture: ${path} has no next page`);
    return new URL(page._links.next.href, base).searchParams;
  };
  const listings = [
    "limit=1",
    "limit=1&sort=ending_soonest",
    "limit=1&status=open",
    `limit=1&seller_id=${clients[0]!.userId}`,
  ];
  const lotPages = (await Promise.all(listings.map((q) => nextOf(`/v1/lots?${q}`)))).map((params) =>
    Object.fromEntries([...params].filter(([k]) => k !== "limit")),
  );
  const bidCursors = [(await nextOf(`/v1/lots/${lots[0]!.id}/bids?limit=1`)).get("cursor")!];
  await invoiceIssued(base, setup, soldLotId, clients[0]!);
  return { clients, lots, soldLotId, lotPages, bidCursors };
}

async function signUp(base: string, ip: string, i: number): Promise<Client> {
  const session = (await call(
    base,
    ip,
    "/v1/auth/sign-up",
    {},
    {
      email: `fuzz-${randomUUID()}@example.com`,
      password: "correct horse battery",
      display_name: `Client ${i}`,
    },
  )) as { access_token: string; user: { id: string } };
  return { ip, userId: session.user.id, auth: { authorization: `Bearer ${session.access_token}` } };
}

/** A GET, or a POST of a JSON body, that must succeed; its JSON answer. */
async function call(
  base: string,
  ip: string,
  path: string,
  auth: Record<string, string>,
  body?: unknown,
): Promise<unknown> {
  const res = await fetch(`${base}${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { "x-forwarded-for": ip, "content-type": "application/json", ...auth },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!res.ok) throw new Error(`fixture: ${path} answered ${res.status} ${await res.text()}`);
  return res.json();
}

/** Waits until settlement has issued the sold lot's invoice (the lot closes in ~3 s). */
async function invoiceIssued(base: string, ip: string, lotId: string, seller: Client) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const res = await fetch(`${base}/v1/lots/${lotId}/invoice`, {
      headers: { "x-forwarded-for": ip, ...seller.auth },
    });
    if (res.status === 200) return;
    if (Date.now() > deadline) throw new Error(`fixture: no invoice for ${lotId}: ${res.status}`);
    await delay(250);
  }
}
