import { randomUUID } from "node:crypto";
import { GraphQLClient } from "graphql-request";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createLot, signedInClient, startBffStack, type BffStack } from "./bff-stack.ts";

let stack: BffStack;
beforeAll(async () => {
  stack = await startBffStack(inject("natsUrl"));
});
afterAll(() => stack?.stop());

const SELLER_LOTS = /* GraphQL */ `
  query SellerLots($sellerId: ID!, $first: Int, $after: String) {
    lots(filter: { sellerId: $sellerId }, first: $first, after: $after) {
      totalCount
      edges {
        cursor
        node {
          id
        }
      }
      pageInfo {
        hasNextPage
        hasPreviousPage
        startCursor
        endCursor
      }
    }
  }
`;

interface LotPage {
  lots: {
    totalCount: number;
    edges: Array<{ cursor: string; node: { id: string } }>;
    pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; endCursor: string | null };
  };
}

describe("lots as a connection", () => {
  it("pages through a seller's lots with cursors, newest first", async () => {
    const seller = await signedInClient(stack, "Pager");
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await createLot(seller.client, { title: `Lot ${i}` }));
    const anonymous = new GraphQLClient(stack.endpoint);
    const page = (first: number, after?: string | null) =>
      anonymous.request<LotPage>(SELLER_LOTS, { sellerId: seller.id, first, after });
    await expect.poll(async () => (await page(1)).lots.totalCount, { timeout: 10_000 }).toBe(5);

    const first = await page(2);
    expect(first.lots.edges.map((e) => e.node.id)).toEqual([ids[4], ids[3]]);
    expect(first.lots.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    const second = await page(2, first.lots.pageInfo.endCursor);
    expect(second.lots.edges.map((e) => e.node.id)).toEqual([ids[2], ids[1]]);
    expect(second.lots.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });
    const last = await page(2, second.lots.pageInfo.endCursor);
    expect(last.lots.edges.map((e) => e.node.id)).toEqual([ids[0]]);
    expect(last.lots.pageInfo.hasNextPage).toBe(false);

    // Any edge's cursor resumes right after that edge, not only a page's end.
    const fromMiddle = await page(3, first.lots.edges[0]!.cursor);
    expect(fromMiddle.lots.edges.map((e) => e.node.id)).toEqual([ids[3], ids[2], ids[1]]);
  });

  it("reads a lot with its seller, highest bid, time left and bids with their bidders", async () => {
    const seller = await signedInClient(stack, "Seller Sam");
    const bidder = await signedInClient(stack, "Bidder Bo");
    const lotId = await createLot(seller.client);
    const bid = await bidder.client.request<{ placeBid: { __typename: string } }>(
      /* GraphQL */ `
        mutation Bid($lotId: ID!, $bidId: ID!) {
          placeBid(lotId: $lotId, bidId: $bidId, amount: { currency: "EUR", amountMinor: "1250" }) {
            __typename
          }
        }
      `,
      { lotId, bidId: randomUUID() },
    );
    expect(bid.placeBid.__typename).toBe("BidPlaced");

    const read = () =>
      new GraphQLClient(stack.endpoint).request<{ lot: Record<string, unknown> }>(
        /* GraphQL */ `
          query Lot($id: ID!) {
            lot(id: $id) {
              id
              title
              status
              seller {
                id
                displayName
              }
              highestBid {
                currency
                amountMinor
                amount
              }
              bidCount
              timeLeftSeconds
              endsAt
              bids(first: 10) {
                edges {
                  cursor
                  node {
                    amount {
                      amount
                    }
                    bidder {
                      displayName
                    }
                  }
                }
                pageInfo {
                  hasNextPage
                }
              }
            }
          }
        `,
        { id: lotId },
      );
    await expect.poll(async () => (await read()).lot.bidCount, { timeout: 10_000 }).toBe(1);
    const { lot } = await read();
    expect(lot).toMatchObject({
      id: lotId,
      status: "OPEN",
      seller: { id: seller.id, displayName: "Seller Sam" },
      highestBid: { currency: "EUR", amountMinor: "1250", amount: "12.50" },
      bids: {
        edges: [{ node: { amount: { amount: "12.50" }, bidder: { displayName: "Bidder Bo" } } }],
        pageInfo: { hasNextPage: false },
      },
    });
    expect(lot.timeLeftSeconds).toBeGreaterThan(3500);
    expect(lot.timeLeftSeconds).toBeLessThanOrEqual(3600);
  });

  it("answers null for a lot that does not exist", async () => {
    const { lot } = await new GraphQLClient(stack.endpoint).request<{ lot: unknown }>(
      `query { lot(id: "no-such-lot") { id } }`,
    );
    expect(lot).toBeNull();
  });
});
