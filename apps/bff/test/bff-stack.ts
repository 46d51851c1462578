import { randomUUID } from "node:crypto";
import { GraphQLClient } from "graphql-request";
import { IdentityService } from "@gavel/proto/identity/v1/identity";
import { connectClient, startFrontStack, type FrontStackOptions } from "@gavel/testing";

/**
 * identity, catalog, bidding (settlement too when asked) and one BFF, all real processes
 * on one real NATS.
 */
export async function startBffStack(
  natsUrl: string,
  bffEnv: Record<string, string> = {},
  options: FrontStackOptions = {},
) {
  const stack = await startFrontStack(natsUrl, "bff", bffEnv, options);
  return {
    ...stack,
    bff: stack.front,
    endpoint: `${stack.front.rpcUrl}/graphql`,
    identityUrl: stack.identity.rpcUrl,
  };
}

export type BffStack = Awaited<ReturnType<typeof startBffStack>>;

export const PASSWORD = "correct horse battery";

/** Signs up a new user at identity directly (the BFF has no sign-up) and returns its email. */
export async function signedUpUser(stack: BffStack, name = "Tester") {
  const email = `u-${randomUUID()}@example.com`;
  const { user } = await connectClient(IdentityService, stack.identityUrl).signUp({
    email,
    password: PASSWORD,
    displayName: name,
  });
  return { id: user!.id, email };
}

/** A new user signed in through the BFF's signIn mutation, with a client that sends its token. */
export async function signedInClient(stack: BffStack, name = "Tester") {
  const user = await signedUpUser(stack, name);
  const { signIn } = await new GraphQLClient(stack.endpoint).request<{
    signIn: { __typename: string; accessToken: string };
  }>(SIGN_IN, { email: user.email, password: PASSWORD });
  const client = new GraphQLClient(stack.endpoint, {
    headers: { authorization: `Bearer ${signIn.accessToken}` },
  });
  return { ...user, client };
}

export const SIGN_IN = /* GraphQL */ `
  mutation SignIn($email: String!, $password: String!) {
    signIn(email: $email, password: $password) {
      __typename
      ... on SignedIn {
        accessToken
        expiresAt
        user {
          id
          displayName
        }
      }
      ... on Problem {
        message
      }
    }
  }
`;

export const CREATE_LOT = /* GraphQL */ `
  mutation CreateLot($input: CreateLotInput!) {
    createLot(input: $input) {
      __typename
      ... on LotCreated {
        lot {
          id
          title
        }
      }
      ... on ValidationFailed {
        message
        fields {
          field
          message
        }
      }
    }
  }
`;

export function lotInput(overrides: Record<string, unknown> = {}) {
  return {
    title: "A brass lamp",
    description: "Works.",
    startingPrice: { currency: "EUR", amountMinor: "1000" },
    endsAt: new Date(Date.now() + 3600_000).toISOString(),
    ...overrides,
  };
}

/** Lists a lot as the client's user and returns its id. */
export async function createLot(client: GraphQLClient, overrides: Record<string, unknown> = {}) {
  const { createLot } = await client.request<{
    createLot: { __typename: string; lot?: { id: string } };
  }>(CREATE_LOT, { input: lotInput(overrides) });
  if (createLot.__typename !== "LotCreated") throw new Error(JSON.stringify(createLot));
  return createLot.lot!.id;
}

/** Bids on a lot as the client's user; fails unless the bid is accepted. */
export async function placeBid(client: GraphQLClient, lotId: string, amountMinor: string) {
  const { placeBid } = await client.request<{ placeBid: { __typename: string } }>(
    `mutation($lotId: ID!, $bidId: ID!, $amount: MoneyInput!) {
      placeBid(lotId: $lotId, bidId: $bidId, amount: $amount) { __typename }
    }`,
    { lotId, bidId: randomUUID(), amount: { currency: "EUR", amountMinor } },
  );
  if (placeBid.__typename !== "BidPlaced") throw new Error(`bid refused: ${placeBid.__typename}`);
}
