import { ClientError, GraphQLClient } from "graphql-request";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import {
  createLot,
  PASSWORD,
  SIGN_IN,
  signedInClient,
  signedUpUser,
  startBffStack,
  type BffStack,
} from "./bff-stack.ts";

let stack: BffStack;
beforeAll(async () => {
  stack = await startBffStack(inject("natsUrl"));
});
afterAll(() => stack?.stop());

const VIEWER = /* GraphQL */ `
  query {
    viewer {
      user {
        id
        displayName
        email
      }
      lots(first: 5) {
        totalCount
        edges {
          node {
            id
            seller {
              id
            }
          }
        }
      }
    }
  }
`;

describe("signing in and the viewer", () => {
  it("signs in and reads the viewer with their own email and lots", async () => {
    const me = await signedInClient(stack, "Viv");
    const lotId = await createLot(me.client);
    const read = () => me.client.request<{ viewer: { lots: { totalCount: number } } }>(VIEWER);
    await expect
      .poll(async () => (await read()).viewer.lots.totalCount, { timeout: 10_000 })
      .toBe(1);
    expect((await read()).viewer).toEqual({
      user: { id: me.id, displayName: "Viv", email: me.email },
      lots: { totalCount: 1, edges: [{ node: { id: lotId, seller: { id: me.id } } }] },
    });
  });

  it("answers a wrong password with InvalidCredentials, a result and not an error", async () => {
    const user = await signedUpUser(stack);
    const { signIn } = await new GraphQLClient(stack.endpoint).request<{ signIn: object }>(
      SIGN_IN,
      { email: user.email, password: `${PASSWORD}!` },
    );
    expect(signIn).toMatchObject({ __typename: "InvalidCredentials", message: expect.any(String) });
  });

  it("has no viewer without a token", async () => {
    const data = await new GraphQLClient(stack.endpoint).request<{ viewer: unknown }>(VIEWER);
    expect(data.viewer).toBeNull();
  });

  it("refuses a bad token with UNAUTHENTICATED rather than reading anonymously", async () => {
    const client = new GraphQLClient(stack.endpoint, {
      headers: { authorization: "Bearer not.a.token" },
    });
    const err = await client.request(VIEWER).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClientError);
    const { response } = err as ClientError;
    expect(response.status).toBe(401);
    expect(response.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
  });
});
