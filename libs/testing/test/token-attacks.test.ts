// The JWT attack matrix against every place a token is checked: the REST edge, the GraphQL
// BFF, each Connect service (identity, catalog, bidding, settlement in Go) and the push
// gateway (tickets, SSE, the WebSocket upgrade by header and by subprotocol, and a token
// refreshed mid-session). Each hostile token differs from a good one in one way; every
// one must be refused, and a good token of another user must not reach this user's things.
import { randomUUID } from "node:crypto";
import { request } from "node:http";
import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { BiddingService } from "@gavel/proto/bidding/v1/bidding";
import { CatalogService, LotDraftSchema, LotStatus } from "@gavel/proto/catalog/v1/catalog";
import { IdentityService } from "@gavel/proto/identity/v1/identity";
import { InvoiceRole, SettlementService } from "@gavel/proto/settlement/v1/settlement";
import {
  authHeader,
  connectClient,
  connectOutcome,
  hostileTokens,
  mintToken,
  startNatsServer,
  startWholeStack,
  type NatsServerHandle,
  type WholeStack,
} from "../src/index.ts";

let nats: NatsServerHandle;
let stack: WholeStack;
const url = (app: keyof WholeStack["apps"]) => stack.apps[app].rpcUrl;
const bob = `bob-${randomUUID().slice(0, 8)}`;
const carol = `carol-${randomUUID().slice(0, 8)}`;
const attacks = Object.entries(hostileTokens(bob));

beforeAll(async () => {
  nats = await startNatsServer();
  stack = await startWholeStack(nats.url);
}, 300_000);

afterAll(async () => {
  await stack?.stop();
  await nats?.stop();
}, 60_000);

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** The Connect code a call failed with; "ok" if it succeeded. */

/** The HTTP status a WebSocket upgrade is answered with (101 when it is accepted). */
function upgradeStatus(headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${url("push")}/ws`, {
      headers: {
        connection: "Upgrade",
        upgrade: "websocket",
        "sec-websocket-version": "13",
        "sec-websocket-key": Buffer.from(randomUUID().slice(0, 16)).toString("base64"),
        ...headers,
      },
    });
    req.once("response", (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.once("upgrade", (res, socket) => {
      socket.destroy();
      resolve(res.statusCode ?? 0);
    });
    req.once("error", reject);
    req.end();
  });
}

/** A WebSocket as `token`'s user; send() resolves with the server's answer to that id. */
async function socketAs(token: string) {
  const ws = new WebSocket(`${url("push").replace(/^http/, "ws")}/ws`, [
    "gavel.v1",
    `bearer.${token}`,
  ]);
  const answers = new Map<string, (m: Record<string, unknown>) => void>();
  ws.addEventListener("message", (e) => {
    const m = JSON.parse(String(e.data)) as Record<string, unknown>;
    if (typeof m.id === "string") answers.get(m.id)?.(m);
  });
  await new Promise((resolve, reject) => {
    ws.addEventListener("open", resolve, { once: true });
    ws.addEventListener("error", reject, { once: true });
  });
  return {
    send(message: Record<string, unknown>): Promise<Record<string, unknown>> {
      const id = randomUUID().slice(0, 8);
      const answer = new Promise<Record<string, unknown>>((resolve) => answers.set(id, resolve));
      ws.send(JSON.stringify({ v: 1, id, ...message }));
      return answer;
    },
    close: () => ws.close(),
  };
}

describe.each(attacks)("a token with %s is refused", (_, token) => {
  test("by the REST edge: 401 with invalid_token", async () => {
    const res = await fetch(`${url("edge")}/v1/me`, { headers: bearer(token) });
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toContain('error="invalid_token"');
  });

  test("by the GraphQL BFF: 401, UNAUTHENTICATED", async () => {
    const res = await fetch(`${url("bff")}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", ...bearer(token) },
      body: JSON.stringify({ query: "{ viewer { id } }" }),
    });
    expect(res.status).toBe(401);
    const body = (await res.json()) as { errors: Array<{ extensions: { code: string } }> };
    expect(body.errors[0]!.extensions.code).toBe("UNAUTHENTICATED");
  });

  test("by every Connect service, the Go one too: Unauthenticated", async () => {
    const options = authHeader(token);
    const codes = {
      identity: await connectOutcome(
        connectClient(IdentityService, url("identity")).getUser({ id: bob }, options),
      ),
      catalog: await connectOutcome(
        connectClient(CatalogService, url("catalog")).listWatchlist({}, options),
      ),
      bidding: await connectOutcome(
        connectClient(BiddingService, url("bidding")).placeBid(
          {
            lotId: "lot",
            bidId: randomUUID(),
            amount: { currencyCode: "EUR", amountMinor: 100n },
          },
          options,
        ),
      ),
      settlement: await connectOutcome(
        connectClient(SettlementService, url("settlement")).listInvoices(
          { role: InvoiceRole.BUYER },
          options,
        ),
      ),
    };
    expect(codes).toEqual({
      identity: "Unauthenticated",
      catalog: "Unauthenticated",
      bidding: "Unauthenticated",
      settlement: "Unauthenticated",
    });
  });

  test("by the push gateway: no ticket, no SSE stream, no WebSocket upgrade", async () => {
    const ticket = await fetch(`${url("push")}/tickets`, {
      method: "POST",
      headers: bearer(token),
    });
    expect(ticket.status).toBe(401);
    const sse = await fetch(`${url("push")}/sse/notifications`, { headers: bearer(token) });
    expect(sse.status).toBe(401);
    await sse.body?.cancel();
    expect(await upgradeStatus(bearer(token))).toBe(401);
    expect(await upgradeStatus({ "sec-websocket-protocol": `gavel.v1, bearer.${token}` })).toBe(
      401,
    );
  });

  test("by the push gateway mid-session, as a refreshed token", async () => {
    const socket = await socketAs(await mintToken(bob));
    try {
      const answer = await socket.send({ type: "authenticate", token });
      expect(answer).toMatchObject({ type: "error", code: "unauthenticated" });
    } finally {
      socket.close();
    }
  });
});

describe("a good token of another user does not reach this user's things", () => {
  let lotId: string;
  let bobToken: string;
  let carolToken: string;

  beforeAll(async () => {
    bobToken = await mintToken(bob);
    carolToken = await mintToken(carol);
    // Bob sells a lot; it stays open (Carol must not be able to cancel it).
    const { lot } = await connectClient(CatalogService, url("catalog")).createLot(
      {
        lot: create(LotDraftSchema, {
          title: "Bob's lot",
          startingPrice: { currencyCode: "EUR", amountMinor: 1000n },
          endsAt: timestampFromMs(Date.now() + 3_600_000),
        }),
      },
      authHeader(bobToken),
    );
    lotId = lot!.id;
  });

  test("the REST edge and the BFF refuse Carol cancelling Bob's lot; identity hides his email", async () => {
    const edge = await fetch(`${url("edge")}/v1/lots/${lotId}/cancel`, {
      method: "POST",
      headers: { "content-type": "application/json", ...bearer(carolToken) },
      body: "{}",
    });
    expect(edge.status).toBe(403);
    const bff = await fetch(`${url("bff")}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", ...bearer(carolToken) },
      body: JSON.stringify({
        query: `mutation { cancelLot(id: "${lotId}") { __typename } }`,
      }),
    });
    const body = (await bff.json()) as { data: { cancelLot: { __typename: string } } };
    expect(body.data.cancelLot.__typename).toBe("NotAllowed");
    const catalog = connectClient(CatalogService, url("catalog"));
    expect(
      await connectOutcome(catalog.cancelLot({ id: lotId, reason: "" }, authHeader(carolToken))),
    ).toBe("PermissionDenied");
    const { lot } = await catalog.getLot({ id: lotId });
    expect(lot!.status).toBe(LotStatus.OPEN);
    const identity = connectClient(IdentityService, url("identity"));
    const seen = await identity.getUser({ id: bob }, authHeader(carolToken)).then(
      (r) => r.user,
      () => undefined,
    );
    expect(seen?.email ?? "").toBe("");
  });

  test("the push gateway keeps Carol to her own notifications and her own user", async () => {
    const socket = await socketAs(carolToken);
    try {
      expect(await socket.send({ type: "subscribe", channel: `user:${bob}` })).toMatchObject({
        type: "error",
        code: "permission_denied",
      });
      expect(await socket.send({ type: "authenticate", token: bobToken })).toMatchObject({
        type: "error",
        code: "permission_denied",
      });
    } finally {
      socket.close();
    }
  });

  test("settlement (Go) answers an invoice to its buyer and seller only", async () => {
    const catalog = connectClient(CatalogService, url("catalog"));
    const { lot } = await catalog.createLot(
      {
        lot: create(LotDraftSchema, {
          title: "A lot that sells at once",
          startingPrice: { currencyCode: "EUR", amountMinor: 1000n },
          endsAt: timestampFromMs(Date.now() + 2_500),
          snipeWindowSeconds: 1,
        }),
      },
      authHeader(await mintToken(`seller-${randomUUID().slice(0, 8)}`)),
    );
    await connectClient(BiddingService, url("bidding")).placeBid(
      {
        lotId: lot!.id,
        bidId: randomUUID(),
        amount: { currencyCode: "EUR", amountMinor: 1000n },
      },
      authHeader(bobToken),
    );
    const settlement = connectClient(SettlementService, url("settlement"));
    await expect
      .poll(() => connectOutcome(settlement.getInvoice({ lotId: lot!.id }, authHeader(bobToken))), {
        timeout: 20_000,
        interval: 250,
      })
      .toBe("ok");
    expect(
      await connectOutcome(settlement.getInvoice({ lotId: lot!.id }, authHeader(carolToken))),
    ).toBe("PermissionDenied");
    const { invoices } = await settlement.listInvoices(
      { role: InvoiceRole.BUYER },
      authHeader(carolToken),
    );
    expect(invoices).toEqual([]);
  }, 30_000);
});
