import { randomUUID } from "node:crypto";
import { ClientError, GraphQLClient } from "graphql-request";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import {
  CREATE_LOT,
  createLot,
  lotInput,
  signedInClient,
  startBffStack,
  type BffStack,
} from "./bff-stack.ts";

let stack: BffStack;
beforeAll(async () => {
  stack = await startBffStack(inject("natsUrl"));
});
afterAll(() => stack?.stop());

const PLACE_BID = /* GraphQL */ `
  mutation PlaceBid($lotId: ID!, $amount: MoneyInput!, $bidId: ID!) {
    placeBid(lotId: $lotId, amount: $amount, bidId: $bidId) {
      __typename
      ... on BidPlaced {
        bid {
          id
          amount {
            amount
          }
        }
        minimumNextBid {
          amountMinor
        }
      }
      ... on BidTooLow {
        minimumNextBid {
          currency
          amountMinor
          amount
        }
      }
      ... on Problem {
        message
      }
    }
  }
`;

const eur = (amountMinor: string) => ({ currency: "EUR", amountMinor });

describe("mutations answer with typed results", () => {
  it("places a bid, then answers a lower one with BidTooLow and the minimum next bid", async () => {
    const seller = await signedInClient(stack);
    const bidder = await signedInClient(stack);
    const other = await signedInClient(stack);
    const lotId = await createLot(seller.client);
    const bidId = randomUUID();
    const placed = await bidder.client.request<{ placeBid: Record<string, unknown> }>(PLACE_BID, {
      lotId,
      amount: eur("5000"),
      bidId,
    });
    expect(placed.placeBid).toEqual({
      __typename: "BidPlaced",
      bid: { id: bidId, amount: { amount: "50.00" } },
      minimumNextBid: { amountMinor: "5100" },
    });
    const low = await other.client.request<{ placeBid: Record<string, unknown> }>(PLACE_BID, {
      lotId,
      amount: eur("5000"),
      bidId: randomUUID(),
    });
    expect(low.placeBid).toMatchObject({
      __typename: "BidTooLow",
      minimumNextBid: { currency: "EUR", amountMinor: "5100", amount: "51.00" },
    });
  });

  it("answers a bid on one's own lot with NotAllowed and on an unknown lot with NotFound", async () => {
    const seller = await signedInClient(stack);
    const lotId = await createLot(seller.client);
    const bid = (id: string) =>
      seller.client.request<{ placeBid: { __typename: string } }>(PLACE_BID, {
        lotId: id,
        amount: eur("2000"),
        bidId: randomUUID(),
      });
    expect((await bid(lotId)).placeBid.__typename).toBe("NotAllowed");
    expect((await bid("no-such-lot")).placeBid.__typename).toBe("NotFound");
  });

  it("answers an invalid lot with ValidationFailed naming each input field", async () => {
    const seller = await signedInClient(stack);
    const { createLot } = await seller.client.request<{ createLot: Record<string, unknown> }>(
      CREATE_LOT,
      { input: lotInput({ title: "x", startingPrice: eur("0") }) },
    );
    expect(createLot.__typename).toBe("ValidationFailed");
    expect((createLot.fields as Array<{ field: string }>).map((f) => f.field)).toEqual(
      expect.arrayContaining(["title", "startingPrice.amountMinor"]),
    );
  });

  it("cancels a lot for its seller and refuses anyone else with NotAllowed", async () => {
    const seller = await signedInClient(stack);
    const stranger = await signedInClient(stack);
    const lotId = await createLot(seller.client);
    const cancel = (client: GraphQLClient) =>
      client.request<{ cancelLot: { __typename: string; lot?: { status: string } } }>(
        `mutation($id: ID!) { cancelLot(id: $id, reason: "changed my mind") {
          __typename ... on LotCancelled { lot { status } } } }`,
        { id: lotId },
      );
    expect((await cancel(stranger.client)).cancelLot.__typename).toBe("NotAllowed");
    expect((await cancel(seller.client)).cancelLot).toEqual({
      __typename: "LotCancelled",
      lot: { status: "CANCELLED" },
    });
  });

  it("fails a mutation without a token with UNAUTHENTICATED", async () => {
    const err = await new GraphQLClient(stack.endpoint)
      .request(PLACE_BID, { lotId: "x", amount: eur("100"), bidId: randomUUID() })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClientError);
    expect((err as ClientError).response.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
  });
});
