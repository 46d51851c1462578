import { randomUUID } from "node:crypto";
import { GraphQLClient } from "graphql-request";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createLot, signedInClient, startBffStack, type BffStack } from "./bff-stack.ts";

let stack: BffStack;
beforeAll(async () => {
  stack = await startBffStack(inject("natsUrl"));
});
afterAll(() => stack?.stop());

const PAGE_WITH_SELLERS = /* GraphQL */ `
  query {
    lots(first: 50) {
      edges {
        node {
          id
          title
          seller {
            id
            displayName
          }
          highestBid {
            amount
          }
        }
      }
    }
  }
`;

interface Page {
  lots: { edges: Array<{ node: { seller: { id: string }; highestBid: unknown } }> };
}

/**
 * In development the BFF reports, in extensions.upstreamCalls, every RPC a request cost:
 * its loaders must turn N sellers into one BatchGetUsers, never one call per lot.
 */
describe("what a request costs upstream", () => {
  it("reads 50 lots with their sellers and highest bids in ListLots plus one BatchGetUsers", async () => {
    const sellers = await Promise.all([1, 2, 3, 4, 5].map((n) => signedInClient(stack, `S${n}`)));
    const bidder = await signedInClient(stack, "B");
    const lotIds = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        createLot(sellers[i % 5]!.client, { title: `Lot ${i}` }),
      ),
    );
    for (const lotId of lotIds.slice(0, 5))
      await bidder.client.request(
        `mutation($lotId: ID!, $bidId: ID!) { placeBid(lotId: $lotId, bidId: $bidId,
          amount: { currency: "EUR", amountMinor: "2000" }) { __typename } }`,
        { lotId, bidId: randomUUID() },
      );
    const client = new GraphQLClient(stack.endpoint);
    await expect
      .poll(
        async () => {
          const { lots } = await client.request<Page>(PAGE_WITH_SELLERS);
          return lots.edges.filter((e) => e.node.highestBid !== null).length;
        },
        { timeout: 10_000 },
      )
      .toBe(5);

    const { data, extensions } = await client.rawRequest<Page>(PAGE_WITH_SELLERS);
    expect(data.lots.edges).toHaveLength(50);
    expect(new Set(data.lots.edges.map((e) => e.node.seller.id)).size).toBe(5);
    expect((extensions as { upstreamCalls: unknown }).upstreamCalls).toEqual({
      "gavel.catalog.v1.CatalogService/ListLots": 1,
      "gavel.identity.v1.IdentityService/BatchGetUsers": 1,
    });
  });

  it("loads lots asked for by id in one BatchGetLots, each id once", async () => {
    const seller = await signedInClient(stack);
    const [a, b] = [await createLot(seller.client), await createLot(seller.client)];
    const { data, extensions } = await new GraphQLClient(stack.endpoint).rawRequest<
      Record<string, { id: string; seller: { id: string } } | null>
    >(
      `query($a: ID!, $b: ID!) {
        first: lot(id: $a) { id seller { id } }
        second: lot(id: $b) { id seller { id } }
        again: lot(id: $a) { id seller { id } }
      }`,
      { a, b },
    );
    expect(data.again).toEqual({ id: a, seller: { id: seller.id } });
    expect((extensions as { upstreamCalls: unknown }).upstreamCalls).toEqual({
      "gavel.catalog.v1.CatalogService/BatchGetLots": 1,
      "gavel.identity.v1.IdentityService/BatchGetUsers": 1,
    });
  });
});
