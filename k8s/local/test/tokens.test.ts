import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, test } from "vitest";
import { BiddingService } from "@gavel/proto/bidding/v1/bidding";
import { CatalogService } from "@gavel/proto/catalog/v1/catalog";
import { IdentityService } from "@gavel/proto/identity/v1/identity";
import { InvoiceRole, SettlementService } from "@gavel/proto/settlement/v1/settlement";
import { authHeader, connectClient, connectOutcome, mintToken } from "@gavel/testing";
import { serviceUrl, signUp } from "./cluster.ts";

// The jwt-keys hook made the release's Ed25519 key pair: identity signs with its private
// key, every other service verifies with the public one. A token identity issued is
// accepted everywhere; one signed with any other key (the tests' own) nowhere.

const apps = ["edge", "bff", "push", "identity", "catalog", "bidding", "settlement"] as const;
type App = (typeof apps)[number];
const urls = {} as Record<App, string>;
let user: { id: string; token: string };

beforeAll(async () => {
  for (const app of apps)
    urls[app] = await serviceUrl(app, ["edge", "bff", "push"].includes(app) ? "http" : "rpc");
  user = await signUp("tokens");
});

/** What each service answers a request that needs a signed-in user, with this token. */
async function answers(token: string): Promise<Record<App, number | string>> {
  const bearer = { authorization: `Bearer ${token}` };
  const options = authHeader(token);
  const ticket = await fetch(`${urls.push}/tickets`, { method: "POST", headers: bearer });
  const graphql = await fetch(`${urls.bff}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", ...bearer },
    body: JSON.stringify({ query: "{ viewer { user { id } } }" }),
  });
  return {
    edge: (await fetch(`${urls.edge}/v1/me`, { headers: bearer })).status,
    bff: graphql.status,
    push: ticket.status,
    identity: await connectOutcome(
      connectClient(IdentityService, urls.identity).getUser({ id: user.id }, options),
    ),
    catalog: await connectOutcome(
      connectClient(CatalogService, urls.catalog).listWatchlist({}, options),
    ),
    // No such lot: the token is checked first, then the lot is not found.
    bidding: await connectOutcome(
      connectClient(BiddingService, urls.bidding).placeBid(
        {
          lotId: "no-such-lot",
          bidId: randomUUID(),
          amount: { currencyCode: "EUR", amountMinor: 100n },
        },
        options,
      ),
    ),
    settlement: await connectOutcome(
      connectClient(SettlementService, urls.settlement).listInvoices(
        { role: InvoiceRole.BUYER },
        options,
      ),
    ),
  };
}

describe("the release's signing key", () => {
  test("a token from identity is accepted by every service, the Go one too", async () => {
    expect(await answers(user.token)).toEqual({
      edge: 200,
      bff: 200,
      push: 201,
      identity: "ok",
      catalog: "ok",
      bidding: "NotFound",
      settlement: "ok",
    });
  });

  test("a well-formed token signed with another key is refused by every service", async () => {
    expect(await answers(await mintToken(user.id))).toEqual({
      edge: 401,
      bff: 401,
      push: 401,
      identity: "Unauthenticated",
      catalog: "Unauthenticated",
      bidding: "Unauthenticated",
      settlement: "Unauthenticated",
    });
  });
});
