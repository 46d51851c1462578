/**
 * Table 5 of the protocol bench: what the GraphQL page query returns (50 lots with each
 * seller's display name), fetched over REST as a browser would: GET /v1/lots?limit=50,
 * then GET /v1/users/{id} for each distinct seller, all at once. One read is one page
 * view; each concurrent worker is its own browser (six keep-alive sockets per origin over
 * HTTP/1.1, one session over HTTP/2), against the one GraphQL POST. Every row asks for br.
 */
import { graphqlPost, graphqlReader } from "./graphql-reads.ts";
import {
  decodedBody,
  encodingOf,
  expectOk,
  http1Client,
  http2Client,
  type HttpAnswer,
  type HttpClient,
} from "./http-clients.ts";
import type { Inspection, Reader, ReadTarget, ReadVariant } from "./read-variant.ts";
import { REST_PATH, restRequest, type RestPage } from "./rest-reads.ts";

/** Sockets a browser opens to one origin over HTTP/1.1 (Chrome's and Firefox's limit). */
const BROWSER_SOCKETS = 6;

const CODING = "br";

/** One page view: the lots, then every distinct seller's name in parallel. */
async function viewPage(client: HttpClient): Promise<Inspection> {
  const answers: HttpAnswer[] = [expectOk(await client.send(restRequest(CODING)), REST_PATH)];
  const lots = (JSON.parse(decodedBody(answers[0]!)) as RestPage).items;
  const sellerIds = [...new Set(lots.map((lot) => lot.seller_id))];
  const users = await Promise.all(
    sellerIds.map(async (id) => {
      const path = `/v1/users/${id}`;
      const headers = { accept: "application/json", "accept-encoding": CODING };
      const request = { method: "GET" as const, path, headers };
      const answer = expectOk(await client.send(request), `GET ${path}`);
      answers.push(answer);
      return JSON.parse(decodedBody(answer)) as { id: string; display_name: string };
    }),
  );
  const names = new Map(users.map((user) => [user.id, user.display_name]));
  return {
    encoding: [...new Set(answers.map(encodingOf))].join("+"),
    bodyBytes: answers.reduce((n, answer) => n + answer.body.length, 0),
    lots: lots.length,
    sellerNames: lots.filter((lot) => names.get(lot.seller_id)).length,
    highestBids: lots.filter((lot) => lot.highest_bid !== null).length,
    requests: answers.length,
  };
}

/**
 * Page views by many browsers: each view takes an idle browser or opens one, so the
 * closed loop's N workers are N browsers with warm connections after the warm-up.
 */
function browsers(open: () => HttpClient): Reader {
  const all: HttpClient[] = [];
  const idle: HttpClient[] = [];
  const take = () => {
    const client = idle.pop() ?? open();
    if (!all.includes(client)) all.push(client);
    return client;
  };
  const view = async () => {
    const client = take();
    try {
      return await viewPage(client);
    } finally {
      idle.push(client);
    }
  };
  return {
    read: async () => void (await view()),
    inspect: view,
    close: () => all.forEach((client) => client.close()),
  };
}

const REST_PAGES: Array<{ name: string; target: ReadTarget; http2: boolean; note: string }> = [
  {
    name: "REST lots + sellers, edge, HTTP/1.1",
    target: "edge",
    http2: false,
    note: `a browser's ${BROWSER_SOCKETS} keep-alive sockets, plain HTTP`,
  },
  {
    name: "REST lots + sellers, edge TLS front, HTTP/2",
    target: "edgeTls",
    http2: true,
    note: "one session; the edge relays each stream to its own HTTP/1.1 listener",
  },
  {
    name: "REST lots + sellers, nginx TLS, HTTP/1.1",
    target: "nginxTls",
    http2: false,
    note: `${BROWSER_SOCKETS} keep-alive sockets to nginx proxying to the edge`,
  },
  {
    name: "REST lots + sellers, nginx TLS, HTTP/2",
    target: "nginxTls",
    http2: true,
    note: "one session to nginx, which speaks h2 and proxies to the edge",
  },
];

export const pageReads: ReadVariant[] = [
  ...REST_PAGES.map(({ name, target, http2, note }): ReadVariant => ({
    name,
    target,
    note,
    open: async (baseUrl) =>
      browsers(() => (http2 ? http2Client(baseUrl) : http1Client(baseUrl, BROWSER_SOCKETS))),
  })),
  {
    name: "GraphQL POST, BFF, HTTP/1.1",
    target: "bff",
    note: "one request; the BFF batches the sellers into one identity call",
    open: async (baseUrl) => graphqlReader(http1Client(baseUrl), graphqlPost(CODING)),
  },
];
