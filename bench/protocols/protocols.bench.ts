/**
 * One run, the same data, every protocol Gavel speaks: figures for the protocol guide.
 *
 * What is measured, on one real NATS and real service processes (identity, catalog,
 * bidding, the REST edge, the GraphQL BFF, the push gateway) seeded with open lots from
 * several sellers, each with a few bids:
 *
 * 1. The same logical read, a page of 50 lots with seller and highest bid, over REST
 *    (GET /v1/lots?limit=50 on the edge; HTTP/1.1 and HTTP/2 over the edge's TLS front;
 *    identity, gzip and br), GraphQL on the BFF (POST, and the automatic persisted query
 *    by GET) and the catalog's ListLots RPC (Connect JSON, Connect binary, gRPC,
 *    gRPC-Web; h2c). For each: the coding the server chose, body bytes as received, wire
 *    bytes per response and per request (everything on the TCP connection: headers,
 *    framing, TLS records; counted by a relay over sequential requests on a warm
 *    connection), then requests/s and p50/p99 latency in a closed loop at each
 *    concurrency level (keep-alive HTTP/1.1 sockets; one HTTP/2 session with concurrent
 *    streams). A second table says what each answer held: the REST and RPC answers name
 *    sellers by id only; GraphQL resolves their display names at the BFF.
 * 2. The REST read and the persisted GraphQL GET through a real HTTP cache (nginx
 *    proxy_cache honouring the services' Cache-Control): requests/s and latency direct,
 *    through nginx only proxying, and through its cache, with the hit ratio from
 *    X-Cache-Status. Without nginx the bench stops before it starts, saying how to
 *    install it (or leave this table out with GAVEL_BENCH_ONLY).
 * 3. The same lot events (bids appended to the lot's JetStream subject, as the bidding
 *    service does) delivered to subscribers of WebSocket (/ws), SSE (/sse/lots/{id}) and
 *    bidding's WatchLot server stream (Connect JSON, Connect binary, gRPC) at once:
 *    latency from publish to arrival, p50/p99/max, and wire bytes per event.
 *
 * How to read it: every figure comes from one process on a shared two-core machine that
 * also runs every server, so compare rows with each other, not with other machines; run it
 * a few times and take the medians before quoting a number. Requests/s is the closed-loop
 * rate of one client process: at high concurrency it shows where the server side (or this
 * client) saturates. Latency includes this process's own scheduling.
 *
 *   npm run bench:protocols
 *
 * Knobs (environment): GAVEL_BENCH_SECONDS (5, per cell), GAVEL_BENCH_WARMUP_SECONDS (1),
 * GAVEL_BENCH_CONCURRENCY ("1,8,32"), GAVEL_BENCH_CACHE_CONCURRENCY (32),
 * GAVEL_BENCH_BYTES_SAMPLES (20), GAVEL_BENCH_PUSH_CLIENTS (10 per protocol),
 * GAVEL_BENCH_PUSH_EVENTS (200), GAVEL_BENCH_PUSH_INTERVAL_MS (20), GAVEL_BENCH_LOTS (60),
 * GAVEL_BENCH_SELLERS (8), GAVEL_BENCH_ONLY ("reads,cache,push": the tables to make),
 * NGINX_BIN (default nginx on PATH). Progress goes to stderr, tables to stdout.
 */
import { runCacheTable } from "./cache-table.ts";
import { graphqlReads } from "./graphql-reads.ts";
import { runPushTable } from "./push-table.ts";
import { runReadTable } from "./read-table.ts";
import { restReads } from "./rest-reads.ts";
import { rpcReads } from "./rpc-reads.ts";
import { seedLots } from "./seed.ts";
import { describeSettings, readSettings } from "./settings.ts";
import { findNginx, NGINX_INSTALL_HINT } from "./nginx.ts";
import { portOf, startProtocolStack } from "./stack.ts";
import {
  natsServer,
  openssl,
  requirePrerequisites,
  type Prerequisite,
} from "../shared/prerequisites.ts";

const settings = readSettings();
/** nginx, when the cache table is asked for. */
const nginx: Prerequisite = () =>
  findNginx()
    ? undefined
    : `${NGINX_INSTALL_HINT}; or leave the cache table out: GAVEL_BENCH_ONLY=reads,push`;
requirePrerequisites("bench:protocols", [
  natsServer(),
  openssl,
  ...(settings.tables.has("cache") ? [nginx] : []),
]);

process.stderr.write("[setup] starting NATS and the services\n");
const stack = await startProtocolStack();
try {
  process.stderr.write(`[setup] seeding ${settings.lots} lots from ${settings.sellers} sellers\n`);
  await seedLots(
    {
      identity: stack.identity.rpcUrl,
      catalog: stack.catalog.rpcUrl,
      bidding: stack.bidding.rpcUrl,
    },
    settings.lots,
    settings.sellers,
  );
  console.log(`# Protocols, one run (NATS: ${stack.nats.kind}; ${describeSettings(settings)})`);
  if (settings.tables.has("reads"))
    await runReadTable(
      [...restReads, ...graphqlReads, ...rpcReads],
      {
        edge: portOf(stack.edge.rpcUrl),
        edgeTls: stack.edgeTlsPort,
        bff: portOf(stack.bff.rpcUrl),
        catalog: portOf(stack.catalog.rpcUrl),
      },
      settings,
    );
  if (settings.tables.has("cache")) await runCacheTable(stack, settings);
  if (settings.tables.has("push")) await runPushTable(stack, settings);
} finally {
  process.stderr.write("[teardown] stopping the services and NATS\n");
  await stack.stop();
}
