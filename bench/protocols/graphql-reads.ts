/**
 * The read through the GraphQL BFF: the page of lots with each seller's display name and
 * the highest bid, POSTed as a query, and as an automatic persisted query (APQ) by GET,
 * where the URL holds only the query's hash: registered once by POST, then a plain GET
 * that an HTTP cache can key on. Both ask for gzip, as a browser would.
 */
import { createHash } from "node:crypto";
import {
  decodedBody,
  encodingOf,
  expectOk,
  http1Client,
  type HttpClient,
  type HttpRequest,
} from "./http-clients.ts";
import { PAGE_SIZE, type Reader, type ReadVariant } from "./read-variant.ts";

export const LOTS_PAGE_QUERY = /* GraphQL */ `query LotsPage {
  lots(first: ${PAGE_SIZE}) {
    totalCount
    edges {
      node {
        id
        title
        status
        endsAt
        bidCount
        startingPrice { currency amountMinor amount }
        highestBid { currency amountMinor amount }
        seller { id displayName }
      }
    }
  }
}`;

const HASH = createHash("sha256").update(LOTS_PAGE_QUERY).digest("hex");
const PERSISTED = { persistedQuery: { version: 1, sha256Hash: HASH } };

const ACCEPT = { accept: "application/json", "accept-encoding": "gzip" };

/** The page query POSTed, asking for the given content coding. */
export function graphqlPost(coding: string): HttpRequest {
  return {
    method: "POST",
    path: "/graphql",
    headers: {
      accept: "application/json",
      "accept-encoding": coding,
      "content-type": "application/json",
    },
    body: JSON.stringify({ query: LOTS_PAGE_QUERY }),
  };
}

const POST = graphqlPost("gzip");

/** Only the hash in the URL; the header satisfies Apollo's CSRF prevention for GET. */
export const PERSISTED_GET: HttpRequest = {
  method: "GET",
  path: `/graphql?operationName=LotsPage&extensions=${encodeURIComponent(JSON.stringify(PERSISTED))}`,
  headers: { ...ACCEPT, "apollo-require-preflight": "true" },
};

/** Sends the query with its hash once, so the BFF knows the hash from then on. */
export async function registerPersistedQuery(client: HttpClient): Promise<void> {
  const body = JSON.stringify({ query: LOTS_PAGE_QUERY, extensions: PERSISTED });
  const answer = await client.send({ ...POST, body });
  expectOk(answer, "registering the persisted query");
}

interface GraphQLPage {
  data?: {
    lots: {
      edges: Array<{ node: { seller: { displayName: string }; highestBid: unknown } }>;
    };
  };
  errors?: unknown[];
}

export function graphqlReader(client: HttpClient, request: HttpRequest): Reader {
  const send = async () => {
    const answer = expectOk(await client.send(request), `${request.method} /graphql`);
    return answer;
  };
  return {
    read: async () => void (await send()),
    async inspect() {
      const answer = await send();
      const page = JSON.parse(decodedBody(answer)) as GraphQLPage;
      if (!page.data || page.errors)
        throw new Error(`the GraphQL read failed: ${JSON.stringify(page.errors)}`);
      const lots = page.data.lots.edges.map((edge) => edge.node);
      return {
        encoding: encodingOf(answer),
        bodyBytes: answer.body.length,
        lots: lots.length,
        sellerNames: lots.filter((lot) => lot.seller.displayName).length,
        highestBids: lots.filter((lot) => lot.highestBid !== null).length,
      };
    },
    close: () => client.close(),
  };
}

const NOTE = "seller names resolved by the BFF (batched identity call); fields chosen";

export const graphqlReads: ReadVariant[] = [
  {
    name: "GraphQL POST, gzip",
    target: "bff",
    note: NOTE,
    open: async (baseUrl) => graphqlReader(http1Client(baseUrl), POST),
  },
  {
    name: "GraphQL persisted GET, gzip",
    target: "bff",
    note: `${NOTE}; the URL holds only the query's hash`,
    async open(baseUrl) {
      const client = http1Client(baseUrl);
      await registerPersistedQuery(client);
      return graphqlReader(client, PERSISTED_GET);
    },
  },
];
