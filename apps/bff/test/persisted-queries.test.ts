import { createHash } from "node:crypto";
import { ApolloClient, ApolloLink, gql, HttpLink, InMemoryCache } from "@apollo/client";
import { PersistedQueryLink } from "@apollo/client/link/persisted-queries";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startService, type ServiceProcess } from "@gavel/testing";
import { createLot, signedInClient, startBffStack, type BffStack } from "./bff-stack.ts";

/** Two BFF replicas over one set of services: a hash registered at one is used at the other. */
let stack: BffStack;
let replicaB: ServiceProcess;
beforeAll(async () => {
  stack = await startBffStack(inject("natsUrl"));
  replicaB = await startService("bff", stack.upstreamEnv);
});
afterAll(async () => {
  await replicaB?.stop();
  await stack?.stop();
});

interface Exchange {
  method: string;
  status: number;
  cacheControl: string | null;
  vary: string | null;
  code: unknown;
}

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/**
 * Apollo Client with the APQ link as a web page would set it up: hashes first, hashed
 * queries over GET (cacheable by URL), the full text only when the server does not know
 * the hash. Records every HTTP exchange it makes.
 */
function apqClient(endpoint: string, headers: Record<string, string> = {}) {
  const exchanges: Exchange[] = [];
  const recording: typeof fetch = async (input, init) => {
    const res = await fetch(input, init);
    const body = (await res.clone().json()) as {
      errors?: Array<{ extensions?: { code?: string } }>;
    };
    exchanges.push({
      method: init?.method ?? "GET",
      status: res.status,
      cacheControl: res.headers.get("cache-control"),
      vary: res.headers.get("vary"),
      code: body.errors?.[0]?.extensions?.code,
    });
    return res;
  };
  const link = ApolloLink.from([
    new PersistedQueryLink({ sha256, useGETForHashedQueries: true }),
    // apollo-require-preflight: a GET that is not a "simple" request, for CSRF prevention.
    new HttpLink({
      uri: endpoint,
      fetch: recording,
      headers: { "apollo-require-preflight": "true", ...headers },
    }),
  ]);
  const client = new ApolloClient({ link, cache: new InMemoryCache() });
  return { client, exchanges };
}

const LOT_TITLES = gql`
  query LotTitles {
    lots(first: 3) {
      totalCount
      edges {
        node {
          id
          title
          highestBid {
            amount
          }
        }
      }
    }
  }
`;

describe("automatic persisted queries over GET", () => {
  it("registers a hash at one replica and serves it by GET at another, cacheable", async () => {
    const a = apqClient(`${stack.bff.rpcUrl}/graphql`);
    const first = await a.client.query({ query: LOT_TITLES });
    expect(first.error).toBeUndefined();
    // The hash alone first (unknown yet), then the text with the hash.
    expect(a.exchanges.map((e) => [e.method, e.code ?? "ok"])).toEqual([
      ["GET", "PERSISTED_QUERY_NOT_FOUND"],
      ["POST", "ok"],
    ]);

    const b = apqClient(`${replicaB.rpcUrl}/graphql`);
    const second = await b.client.query({ query: LOT_TITLES });
    expect(second.data).toEqual(first.data);
    expect(b.exchanges).toEqual([
      {
        method: "GET",
        status: 200,
        cacheControl: "public, max-age=5, stale-while-revalidate=30",
        vary: expect.not.stringMatching(/authorization/i) as unknown as string,
        code: undefined,
      },
    ]);
  });

  it("answers an unknown hash with PERSISTED_QUERY_NOT_FOUND, and a wrong one with 400", async () => {
    const url = new URL(`${stack.endpoint}`);
    const hash = sha256("query { never registered }");
    url.searchParams.set(
      "extensions",
      JSON.stringify({ persistedQuery: { version: 1, sha256Hash: hash } }),
    );
    const unknown = await fetch(url, { headers: { "apollo-require-preflight": "true" } });
    expect(unknown.status).toBe(200); // the APQ protocol's "send the text"
    expect(await unknown.json()).toMatchObject({
      errors: [{ extensions: { code: "PERSISTED_QUERY_NOT_FOUND" } }],
    });
    expect(unknown.headers.get("cache-control")).toMatch(/no-cache|no-store/);

    const mismatched = await fetch(stack.endpoint, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        query: "{ lots(first: 1) { totalCount } }",
        extensions: { persistedQuery: { version: 1, sha256Hash: hash } },
      }),
    });
    expect(mismatched.status).toBe(400);
    expect(await mismatched.json()).toMatchObject({
      errors: [{ extensions: { code: "BAD_REQUEST" } }],
    });
  });
});

describe("Cache-Control from cache hints", () => {
  async function get(query: string, headers: Record<string, string> = {}) {
    const url = new URL(stack.endpoint);
    url.searchParams.set("query", query);
    const res = await fetch(url, { headers: { "apollo-require-preflight": "true", ...headers } });
    return {
      status: res.status,
      cacheControl: res.headers.get("cache-control"),
      vary: res.headers.get("vary"),
    };
  }

  it("lets a CDN keep public catalog data for seconds and users' profiles longer", async () => {
    expect(await get("{ lots(first: 1) { totalCount } }")).toMatchObject({
      status: 200,
      cacheControl: "public, max-age=5, stale-while-revalidate=30",
    });
    const seller = await signedInClient(stack, "Cacheable Seller");
    expect(await get(`{ user(id: "${seller.id}") { displayName } }`)).toMatchObject({
      cacheControl: "public, max-age=60, stale-while-revalidate=30",
    });
  });

  it("marks private what depends on the caller, and never stores the viewer", async () => {
    const seller = await signedInClient(stack, "Private Seller");
    const lotId = await createLot(seller.client, {
      reservePrice: { currency: "EUR", amountMinor: "5000" },
    });
    const token = (
      seller.client as unknown as { requestConfig: { headers: Record<string, string> } }
    ).requestConfig.headers.authorization!;
    const reserve = await get(`{ lot(id: "${lotId}") { reservePrice { amount } } }`, {
      authorization: token,
    });
    expect(reserve).toMatchObject({ cacheControl: "private, max-age=5" });
    expect(reserve.vary).toMatch(/authorization/i);
    expect(await get("{ viewer { user { id } } }", { authorization: token })).toMatchObject({
      cacheControl: "no-store",
    });
  });

  it("stores no error and answers a mutation over GET with 405", async () => {
    expect(await get(`{ lots(after: "nonsense") { totalCount } }`)).toMatchObject({
      cacheControl: "no-store",
    });
    const mutation = await get(`mutation { cancelLot(id: "x") { __typename } }`);
    expect(mutation.status).toBe(405);
  });
});

describe("browsers", () => {
  it("lets the web page's origin call with Apollo Client's headers, and no other", async () => {
    const preflight = (origin: string) =>
      fetch(stack.endpoint, {
        method: "OPTIONS",
        headers: {
          origin,
          "access-control-request-method": "GET",
          "access-control-request-headers": "authorization,apollo-require-preflight",
        },
      });
    const allowed = await preflight("http://localhost:8080");
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get("access-control-allow-origin")).toBe("http://localhost:8080");
    expect(allowed.headers.get("access-control-allow-headers")).toMatch(
      /apollo-require-preflight/i,
    );
    const other = await preflight("https://evil.example");
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("compresses a large answer for a client that accepts gzip", async () => {
    const res = await fetch(stack.endpoint, {
      method: "POST",
      headers: { "content-type": "application/json", "accept-encoding": "gzip" },
      body: JSON.stringify({ query: "{ __schema { types { name description } } }" }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-encoding")).toBe("gzip");
  });
});
