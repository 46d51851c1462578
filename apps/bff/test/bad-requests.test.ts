import { ClientError, GraphQLClient } from "graphql-request";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startService, type ServiceProcess } from "@gavel/testing";
import { startBffStack, type BffStack } from "./bff-stack.ts";

let stack: BffStack;
beforeAll(async () => {
  stack = await startBffStack(inject("natsUrl"));
});
afterAll(() => stack?.stop());

/** The status and first error's code of a request that must fail. */
async function failure(query: string, variables?: Record<string, unknown>) {
  const err = await new GraphQLClient(stack.endpoint)
    .request(query, variables)
    .catch((e: unknown) => e);
  if (!(err instanceof ClientError))
    throw new Error(`expected a GraphQL error, got ${String(err)}`);
  return {
    status: err.response.status,
    code: err.response.errors?.[0]?.extensions?.code,
    message: err.response.errors?.[0]?.message,
  };
}

describe("bad requests are GraphQL errors with a code, never a 5xx", () => {
  it("answers a variable of the wrong type with BAD_USER_INPUT", async () => {
    const result = await failure(`query($n: Int) { lots(first: $n) { totalCount } }`, {
      n: "ten",
    });
    expect(result).toMatchObject({ status: 400, code: "BAD_USER_INPUT" });
  });

  it("answers an amount that is not minor units with BAD_USER_INPUT", async () => {
    const result = await failure(
      `mutation($m: MoneyInput!) { placeBid(lotId: "l", bidId: "b", amount: $m) { __typename } }`,
      { m: { currency: "EUR", amountMinor: "12.50" } },
    );
    expect(result).toMatchObject({ status: 400, code: "BAD_USER_INPUT" });
    expect(result.message).toMatch(/MinorUnits/);
  });

  it("answers a query for an unknown field with GRAPHQL_VALIDATION_FAILED", async () => {
    const result = await failure(`query { lots { edges { node { colour } } } }`);
    expect(result).toMatchObject({ status: 400, code: "GRAPHQL_VALIDATION_FAILED" });
    expect(result.message).toMatch(/colour/);
  });

  it("answers a malformed query with GRAPHQL_PARSE_FAILED", async () => {
    const result = await failure(`query { lots { edges `);
    expect(result).toMatchObject({ status: 400, code: "GRAPHQL_PARSE_FAILED" });
  });

  it("answers a cursor it did not make with BAD_USER_INPUT", async () => {
    const result = await failure(`query { lots(after: "nonsense") { totalCount } }`);
    expect(result).toMatchObject({ code: "BAD_USER_INPUT" });
    expect(result.status).toBeLessThan(500);
  });

  it("answers a body that is not JSON with a GraphQL error body and 400", async () => {
    const res = await fetch(stack.endpoint, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{ not json",
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ errors: [{ extensions: { code: "BAD_REQUEST" } }] });
  });

  it("refuses a simple GET a browser could send cross-site (CSRF prevention)", async () => {
    const res = await fetch(
      `${stack.endpoint}?query=${encodeURIComponent("{ viewer { user { id } } }")}`,
    );
    expect(res.status).toBe(400);
  });

  it("turns introspection off in production", async () => {
    const query = `{ __schema { queryType { name } } }`;
    const dev = await new GraphQLClient(stack.endpoint).request<{ __schema: unknown }>(query);
    expect(dev.__schema).toEqual({ queryType: { name: "Query" } });

    let production: ServiceProcess | undefined;
    try {
      production = await startService("bff", { ...stack.upstreamEnv, GAVEL_ENV: "production" });
      const err = await new GraphQLClient(`${production.rpcUrl}/graphql`)
        .request(query)
        .catch((e: unknown) => e);
      expect((err as ClientError).response.errors?.[0]?.extensions?.code).toBe(
        "GRAPHQL_VALIDATION_FAILED",
      );
      expect(await production.stop()).toBe(0); // graceful shutdown on SIGTERM
    } finally {
      await production?.stop();
    }
  });
});

/** A request refused by the query limits: its status, error and what it cost upstream. */
async function refused(query: string) {
  const res = await fetch(stack.endpoint, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query }),
  });
  const body = (await res.json()) as {
    errors: Array<{ message: string; extensions: Record<string, unknown> }>;
    extensions?: { upstreamCalls?: Record<string, number> };
  };
  return { status: res.status, error: body.errors[0]!, upstreamCalls: body.extensions };
}

describe("query limits refuse expensive queries before they run", () => {
  it("refuses a depth bomb with QUERY_TOO_DEEP and its depth", async () => {
    let nested = "id";
    for (let i = 0; i < 4; i++) nested = `bids(first: 1) { edges { node { lot { ${nested} } } } }`;
    const { status, error } = await refused(`{ lot(id: "x") { ${nested} } }`);
    expect(status).toBe(400);
    expect(error.extensions).toMatchObject({
      code: "QUERY_TOO_DEEP",
      measured: { depth: 18 },
      limits: { depth: 10 },
    });
    expect(error.message).toMatch(/18 deep; at most 10/);
  });

  it("refuses an alias bomb with TOO_MANY_ALIASES", async () => {
    const aliases = Array.from({ length: 200 }, (_, i) => `a${i}: __typename`).join(" ");
    const { status, error } = await refused(`{ ${aliases} }`);
    expect(status).toBe(400);
    expect(error.extensions).toMatchObject({
      code: "TOO_MANY_ALIASES",
      measured: { aliases: 200 },
    });
  });

  it("refuses a query whose list sizes multiply past the cost limit, with its cost", async () => {
    const { status, error } = await refused(`{ lots(first: 100) { edges { node {
      bids(first: 100) { edges { node { bidder { displayName } } } } } } } }`);
    expect(status).toBe(400);
    // lots 1 + 100 × (edges 1 + node 1 + bids (1 + 100 × (edges 1 + node 1 + bidder 2)))
    const cost = 1 + 100 * (1 + 1 + 1 + 100 * 4);
    expect(error.extensions).toMatchObject({ code: "QUERY_TOO_COSTLY", measured: { cost } });
    expect(error.message).toContain(String(cost));
  });

  it("refuses too many directives with TOO_MANY_DIRECTIVES", async () => {
    const parts = Array.from({ length: 30 }, () => "... @include(if: true) { totalCount }");
    const { status, error } = await refused(`{ lots(first: 1) { ${parts.join(" ")} } }`);
    expect(status).toBe(400);
    expect(error.extensions).toMatchObject({ code: "TOO_MANY_DIRECTIVES" });
  });

  it("stops parsing an oversized document at the token limit", async () => {
    const fields = Array.from({ length: 2500 }, () => "totalCount").join(" ");
    const { status, error } = await refused(`{ lots(first: 1) { ${fields} } }`);
    expect(status).toBe(400);
    expect(error.extensions.code).toBe("GRAPHQL_PARSE_FAILED");
    expect(error.message).toMatch(/2000 tokens/);
  });

  it("calls no service for a refused query, and serves the next honest one", async () => {
    const { upstreamCalls } = await refused(`{ lots(first: 100) { edges { node {
      bids(first: 100) { edges { node { id } } } } } } }`);
    expect(upstreamCalls?.upstreamCalls ?? {}).toEqual({});
    const ok = await new GraphQLClient(stack.endpoint).request<{ lots: { totalCount: number } }>(
      `{ lots(first: 5) { totalCount } }`,
    );
    expect(ok.lots.totalCount).toBeGreaterThanOrEqual(0);
  });
});
