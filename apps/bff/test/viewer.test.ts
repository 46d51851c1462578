import type { GraphQLClient } from "graphql-request";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createLot, placeBid, signedInClient, startBffStack, type BffStack } from "./bff-stack.ts";

let stack: BffStack;
beforeAll(async () => {
  stack = await startBffStack(inject("natsUrl"));
});
afterAll(() => stack?.stop());

const WATCH = /* GraphQL */ `
  mutation Watch($lotId: ID!) {
    watchLot(lotId: $lotId) {
      __typename
      ... on LotWatched {
        lot {
          id
          watcherCount
        }
      }
      ... on Problem {
        message
      }
    }
  }
`;

const UNWATCH = /* GraphQL */ `
  mutation Unwatch($lotId: ID!) {
    unwatchLot(lotId: $lotId) {
      __typename
      ... on LotUnwatched {
        lot {
          watcherCount
        }
      }
    }
  }
`;

const MY_AUCTIONS = /* GraphQL */ `
  query MyAuctions {
    viewer {
      watchedLots(first: 10) {
        totalCount
        edges {
          watchedSince
          node {
            id
            watcherCount
          }
        }
      }
      bids(first: 10) {
        totalCount
        edges {
          node {
            lot {
              id
              title
            }
            highestOwnBid {
              amount
            }
            ownBidCount
            lastBidAt
            leading
          }
        }
      }
      wonLots(first: 10) {
        edges {
          node {
            id
            winner {
              id
            }
          }
        }
      }
    }
  }
`;

interface MyAuctions {
  viewer: {
    watchedLots: {
      totalCount: number;
      edges: Array<{ watchedSince: string; node: { id: string; watcherCount: number } }>;
    };
    bids: {
      totalCount: number;
      edges: Array<{
        node: {
          lot: { id: string };
          highestOwnBid: { amount: string };
          ownBidCount: number;
          leading: boolean;
        };
      }>;
    };
    wonLots: { edges: Array<{ node: { id: string; winner: { id: string } } }> };
  };
}

/** Reads the viewer until `done` holds: the catalog's indexes follow writes by moments. */
async function eventually(
  client: GraphQLClient,
  done: (m: MyAuctions) => boolean,
  withinMs = 5_000,
) {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const mine = await client.request<MyAuctions>(MY_AUCTIONS);
    if (done(mine) || Date.now() > deadline) return mine;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("the viewer's watchlist", () => {
  it("watches and unwatches lots, idempotently, with the watcher count", async () => {
    const seller = await signedInClient(stack, "Watched Seller");
    const first = await createLot(seller.client, { title: "First watched" });
    const second = await createLot(seller.client, { title: "Second watched" });
    const viewer = await signedInClient(stack, "Watcher");

    const watched = await viewer.client.request<{ watchLot: unknown }>(WATCH, { lotId: first });
    expect(watched.watchLot).toEqual({
      __typename: "LotWatched",
      lot: { id: first, watcherCount: 1 },
    });
    const again = await viewer.client.request<{ watchLot: unknown }>(WATCH, { lotId: first });
    expect(again.watchLot).toMatchObject({ lot: { watcherCount: 1 } });
    await viewer.client.request(WATCH, { lotId: second });

    const mine = await eventually(viewer.client, (m) => m.viewer.watchedLots.totalCount === 2);
    expect(mine.viewer.watchedLots.edges.map((e) => e.node.id)).toEqual([second, first]);
    expect(Date.parse(mine.viewer.watchedLots.edges[0]!.watchedSince)).toBeGreaterThan(0);

    const removed = await viewer.client.request<{ unwatchLot: unknown }>(UNWATCH, {
      lotId: first,
    });
    expect(removed.unwatchLot).toEqual({ __typename: "LotUnwatched", lot: { watcherCount: 0 } });
    const after = await eventually(viewer.client, (m) => m.viewer.watchedLots.totalCount === 1);
    expect(after.viewer.watchedLots.edges.map((e) => e.node.id)).toEqual([second]);
  });

  it("answers an unknown lot with NotFound, and a guest with UNAUTHENTICATED", async () => {
    const viewer = await signedInClient(stack, "Lost Watcher");
    const unknown = await viewer.client.request<{ watchLot: unknown }>(WATCH, {
      lotId: "no-such-lot",
    });
    expect(unknown.watchLot).toMatchObject({ __typename: "NotFound" });

    const guest = await fetch(stack.endpoint, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: WATCH, variables: { lotId: "no-such-lot" } }),
    });
    expect(await guest.json()).toMatchObject({
      errors: [{ extensions: { code: "UNAUTHENTICATED" } }],
    });
  });
});

describe("the viewer's bids and won lots", () => {
  it("lists each lot a user bid on with their best bid and whether it leads", async () => {
    const seller = await signedInClient(stack, "Busy Seller");
    const vase = await createLot(seller.client, { title: "A vase" });
    const clock = await createLot(seller.client, { title: "A clock" });
    const ann = await signedInClient(stack, "Ann");
    const bob = await signedInClient(stack, "Bob");
    await placeBid(ann.client, vase, "1000");
    await placeBid(bob.client, vase, "1100");
    await placeBid(ann.client, vase, "1200");
    await placeBid(bob.client, clock, "1000");

    const anns = await eventually(ann.client, (m) => m.viewer.bids.totalCount === 1);
    expect(anns.viewer.bids.edges.map((e) => e.node)).toMatchObject([
      { lot: { id: vase }, highestOwnBid: { amount: "12.00" }, ownBidCount: 2, leading: true },
    ]);
    const bobs = await eventually(
      bob.client,
      (m) => m.viewer.bids.totalCount === 2 && m.viewer.bids.edges[1]?.node.ownBidCount === 1,
    );
    // Most recent own bid first: the clock, then the vase where Ann has outbid Bob.
    expect(bobs.viewer.bids.edges.map((e) => e.node)).toMatchObject([
      { lot: { id: clock }, ownBidCount: 1, leading: true },
      { lot: { id: vase }, highestOwnBid: { amount: "11.00" }, ownBidCount: 1, leading: false },
    ]);
  });

  it("lists the lots the viewer won once they close", async () => {
    const seller = await signedInClient(stack, "Quick Seller");
    const lotId = await createLot(seller.client, {
      title: "Gone in seconds",
      endsAt: new Date(Date.now() + 2_500).toISOString(),
      snipeWindowSeconds: 1, // a bid this close to the end extends it by one second only
    });
    const winner = await signedInClient(stack, "Winner");
    await placeBid(winner.client, lotId, "1000");
    const won = await eventually(winner.client, (m) => m.viewer.wonLots.edges.length === 1, 10_000);
    expect(won.viewer.wonLots.edges).toEqual([{ node: { id: lotId, winner: { id: winner.id } } }]);
  }, 15_000);

  it("is private: a request without a token has no viewer", async () => {
    const res = await fetch(stack.endpoint, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: "{ viewer { bids { totalCount } } }" }),
    });
    expect(await res.json()).toMatchObject({ data: { viewer: null } });
  });
});
