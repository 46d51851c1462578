/**
 * Table 2 of the protocol bench: the two reads that have a URL to be cached by, the REST
 * page and the persisted GraphQL GET, straight to their origin, through nginx only
 * proxying, and through nginx's proxy_cache honouring the origin's Cache-Control
 * (public, max-age=5, stale-while-revalidate=30 on both). The hit ratio counts nginx's
 * X-Cache-Status per response.
 */
import { printTable } from "@gavel/load";
import { PERSISTED_GET, registerPersistedQuery } from "./graphql-reads.ts";
import { expectOk, http1Client, type HttpRequest } from "./http-clients.ts";
import { measureLoad, tenths } from "./load.ts";
import type { Nginx } from "./nginx.ts";
import { restRequest } from "./rest-reads.ts";
import type { ProtocolSettings } from "./settings.ts";
import { portOf, type ProtocolStack } from "./stack.ts";

interface CachedRead {
  name: string;
  origin: "edge" | "bff";
  request: HttpRequest;
}

const READS: CachedRead[] = [
  { name: "REST GET /v1/lots?limit=50, gzip", origin: "edge", request: restRequest("gzip") },
  { name: "GraphQL persisted GET, gzip", origin: "bff", request: PERSISTED_GET },
];

async function measurePath(
  read: CachedRead,
  path: string,
  port: number,
  settings: ProtocolSettings,
) {
  const client = http1Client(`http://127.0.0.1:${port}`);
  const statuses = new Map<string, number>();
  try {
    const label = `${read.name} ${path}`;
    process.stderr.write(`[cache] ${label}: ${settings.seconds} s @${settings.cacheConcurrency}\n`);
    const figures = await measureLoad(
      async () => {
        const answer = expectOk(await client.send(read.request), read.name);
        const status = answer.headers["x-cache-status"];
        const key = typeof status === "string" ? status : "-";
        statuses.set(key, (statuses.get(key) ?? 0) + 1);
      },
      {
        ...settings,
        concurrency: settings.cacheConcurrency,
        label,
        onMeasureStart: () => statuses.clear(),
      },
    );
    process.stderr.write(`  ${figures.requestsPerSecond.toFixed(0)} req/s\n`);
    return { figures, statuses };
  } finally {
    client.close();
  }
}

/**
 * nginx's $upstream_cache_status values that mean the client got the cached copy (STALE
 * and UPDATING: served stale while one request refreshes it, as stale-while-revalidate
 * allows); MISS, EXPIRED and REVALIDATED asked the origin.
 */
const SERVED_FROM_CACHE = new Set(["HIT", "STALE", "UPDATING"]);

/** The share served from the cache, and the count of each status. */
function describeStatuses(statuses: Map<string, number>) {
  const total = [...statuses.values()].reduce((n, c) => n + c, 0);
  const share = (n: number) => (total ? (100 * n) / total : 0);
  const fromCache = [...statuses].filter(([status]) => SERVED_FROM_CACHE.has(status));
  const hits = share(fromCache.reduce((n, [, count]) => n + count, 0));
  const breakdown = [...statuses]
    .filter(([status]) => status !== "-")
    .sort((a, b) => b[1] - a[1])
    .map(([status, n]) => `${status} ${n}`)
    .join(", ");
  return { hitRatio: statuses.has("-") ? "-" : `${hits.toFixed(1)}%`, breakdown };
}

export async function runCacheTable(
  stack: ProtocolStack,
  nginx: Nginx,
  settings: ProtocolSettings,
) {
  const origins = { edge: portOf(stack.edge.rpcUrl), bff: portOf(stack.bff.rpcUrl) };
  const rows: Array<Record<string, string | number>> = [];
  // The hash must be known to the BFF before a GET with only the hash can work.
  const registrar = http1Client(stack.bff.rpcUrl);
  await registerPersistedQuery(registrar).finally(() => registrar.close());
  for (const read of READS) {
    const paths: Array<[string, number]> = [
      ["direct to origin", origins[read.origin]],
      ["nginx, proxy only", nginx.ports[read.origin]!.proxied],
      ["nginx proxy_cache", nginx.ports[read.origin]!.cached],
    ];
    let direct: number | undefined;
    for (const [path, port] of paths) {
      const { figures, statuses } = await measurePath(read, path, port, settings);
      direct ??= figures.requestsPerSecond;
      const cache = describeStatuses(statuses);
      rows.push({
        read: read.name,
        path,
        "req/s": Math.round(figures.requestsPerSecond),
        "vs direct": `${(figures.requestsPerSecond / direct).toFixed(2)}x`,
        "p50 ms": tenths(figures.p50Ms),
        "p99 ms": tenths(figures.p99Ms),
        "hit ratio": cache.hitRatio,
        "cache statuses": cache.breakdown || "-",
        failed: figures.failed,
      });
    }
  }
  console.log(
    `\n## 2. Through an HTTP cache (nginx proxy_cache), ${settings.seconds} s each ` +
      `@${settings.cacheConcurrency}, HTTP/1.1 keep-alive\n`,
  );
  printTable(rows);
}
