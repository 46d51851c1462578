/**
 * The same data over every protocol Gavel speaks (50 lots over REST on HTTP/1.1 and h2,
 * GraphQL and the RPCs, direct and through nginx; a page over REST and GraphQL; lot events
 * over WebSocket, SSE, WatchLot): docs/benchmarks.md#the-same-read-and-the-same-event-over-every-protocol
 *
 *   npm run bench:protocols            # -- --help lists the tables and the GAVEL_BENCH_* knobs
 */
import { runCacheTable } from "./cache-table.ts";
import { graphqlReads } from "./graphql-reads.ts";
import { http2Reads } from "./http2-reads.ts";
import { pageReads } from "./page-reads.ts";
import { runPushTable } from "./push-table.ts";
import { runReadTable, type ReadTableTitle, type TargetPorts } from "./read-table.ts";
import type { ReadVariant } from "./read-variant.ts";
import { restReads } from "./rest-reads.ts";
import { rpcReads } from "./rpc-reads.ts";
import { seedLots } from "./seed.ts";
import { describeSettings, NGINX_TABLES, readSettings, type Table } from "./settings.ts";
import { findNginx, NGINX_INSTALL_HINT, startNginx, type Nginx } from "./nginx.ts";
import { portOf, startProtocolStack } from "./stack.ts";
import {
  natsServer,
  openssl,
  requirePrerequisites,
  type Prerequisite,
} from "../shared/prerequisites.ts";

const settings = readSettings();
const wantsNginx = NGINX_TABLES.some((table) => settings.tables.has(table));
/** nginx, when a table that runs it is asked for. */
const nginxPrerequisite: Prerequisite = () =>
  findNginx()
    ? undefined
    : `${NGINX_INSTALL_HINT}; or leave out the tables that need it: GAVEL_BENCH_ONLY=reads,push`;
requirePrerequisites("bench:protocols", [
  natsServer(),
  openssl,
  ...(wantsNginx ? [nginxPrerequisite] : []),
]);

process.stderr.write("[setup] starting NATS and the services\n");
const stack = await startProtocolStack();
let nginx: Nginx | undefined;
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
  const edge = portOf(stack.edge.rpcUrl);
  const bff = portOf(stack.bff.rpcUrl);
  if (wantsNginx) nginx = await startNginx(findNginx()!, { edge, bff }, stack.tls);
  const ports: TargetPorts = {
    edge,
    edgeTls: stack.edgeTlsPort,
    bff,
    catalog: portOf(stack.catalog.rpcUrl),
    nginxTls: nginx?.ports.edge?.tlsProxied,
    nginxTlsCached: nginx?.ports.edge?.tlsCached,
  };
  console.log(`# Protocols, one run (NATS: ${stack.nats.kind}; ${describeSettings(settings)})`);
  /** A read table, when asked for: its variants one after another on the same data. */
  const readTable = async (table: Table, title: ReadTableTitle, variants: ReadVariant[]) => {
    if (settings.tables.has(table)) await runReadTable(title, variants, ports, settings);
  };
  await readTable("reads", { heading: "1. The same read over each protocol", unit: "req" }, [
    ...restReads,
    ...graphqlReads,
    ...rpcReads,
  ]);
  if (nginx && settings.tables.has("cache")) await runCacheTable(stack, nginx, settings);
  if (settings.tables.has("push")) await runPushTable(stack, settings);
  await readTable(
    "http2",
    { heading: "4. REST over HTTP/2 against HTTP/1.1, TLS and br on both", unit: "req" },
    http2Reads,
  );
  await readTable(
    "page",
    { heading: "5. The GraphQL page's data over REST: lots, then each seller", unit: "page" },
    pageReads,
  );
} finally {
  process.stderr.write("[teardown] stopping nginx, the services and NATS\n");
  await nginx?.stop();
  await stack.stop();
}
