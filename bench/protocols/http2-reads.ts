/**
 * Table 4 of the protocol bench: the REST page over HTTP/2 against HTTP/1.1 to the same
 * TLS server, the same br body. At the edge's own TLS front, HTTP/1.1 goes straight to
 * Express and HTTP/2 is relayed to its HTTP/1.1 listener (apps/edge/src/http/http2-front.ts);
 * nginx speaks HTTP/2 itself, proxying to the edge or answering from its cache, so its
 * rows set the protocol apart from that relay.
 */
import { http1Client, http2Client } from "./http-clients.ts";
import type { ReadTarget, ReadVariant } from "./read-variant.ts";
import { restReader } from "./rest-reads.ts";

const SERVERS: Array<{ target: ReadTarget; name: string; note: string }> = [
  {
    target: "edgeTls",
    name: "edge TLS front",
    note: "h2 relayed by the edge to its own HTTP/1.1 listener; HTTP/1.1 straight to Express",
  },
  {
    target: "nginxTls",
    name: "nginx TLS, proxy only",
    note: "nginx speaks h2 and proxies to the edge over keep-alive HTTP/1.1",
  },
  {
    target: "nginxTlsCached",
    name: "nginx TLS, proxy_cache",
    note: "nginx answers from its cache (public, max-age=5); the edge is not asked",
  },
];

export const http2Reads: ReadVariant[] = SERVERS.flatMap(({ target, name, note }) => [
  {
    name: `REST br, ${name}, HTTP/1.1`,
    target,
    note,
    open: async (baseUrl) => restReader(http1Client(baseUrl), "br"),
  },
  {
    name: `REST br, ${name}, HTTP/2`,
    target,
    note,
    open: async (baseUrl) => restReader(http2Client(baseUrl), "br"),
  },
]);
