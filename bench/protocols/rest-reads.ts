/**
 * The read over the REST edge: GET /v1/lots?limit=50, anonymously (so the answer is
 * publicly cacheable), over HTTP/1.1 on the edge's own port and over HTTP/2 on its TLS
 * front, with each content coding the edge's compression offers.
 */
import {
  decodedBody,
  encodingOf,
  expectOk,
  http1Client,
  http2Client,
  type HttpClient,
  type HttpRequest,
} from "./http-clients.ts";
import { PAGE_SIZE, type Reader, type ReadVariant } from "./read-variant.ts";

export const REST_PATH = `/v1/lots?limit=${PAGE_SIZE}`;

const CODINGS = ["identity", "gzip", "br"] as const;

const SELLER_NOTE = "seller_id only (a name is one GET /v1/users/{id} per seller)";

export function restRequest(coding: string): HttpRequest {
  return {
    method: "GET",
    path: REST_PATH,
    headers: { accept: "application/json", "accept-encoding": coding },
  };
}

/** The part of GET /v1/lots the bench reads. */
export interface RestPage {
  items: Array<{ seller_id: string; highest_bid: unknown }>;
}

/** Reads REST pages with one client; `inspect` checks the JSON. */
export function restReader(client: HttpClient, coding: string): Reader {
  const request = restRequest(coding);
  const send = async () => expectOk(await client.send(request), `GET ${REST_PATH}`);
  return {
    read: async () => void (await send()),
    async inspect() {
      const answer = await send();
      const page = JSON.parse(decodedBody(answer)) as RestPage;
      return {
        encoding: encodingOf(answer),
        bodyBytes: answer.body.length,
        lots: page.items.length,
        sellerNames: 0,
        highestBids: page.items.filter((lot) => lot.highest_bid !== null).length,
      };
    },
    close: () => client.close(),
  };
}

export const restReads: ReadVariant[] = [
  ...CODINGS.map((coding): ReadVariant => ({
    name: `REST, HTTP/1.1, ${coding}`,
    target: "edge",
    note: SELLER_NOTE,
    open: async (baseUrl) => restReader(http1Client(baseUrl), coding),
  })),
  ...CODINGS.map((coding): ReadVariant => ({
    name: `REST, HTTP/2 (TLS), ${coding}`,
    target: "edgeTls",
    note: "the edge's TLS front relays each stream to its HTTP/1.1 listener",
    open: async (baseUrl) => restReader(http2Client(baseUrl), coding),
  })),
];
