/**
 * The knobs of bench/protocols/protocols.bench.ts, read once from the environment. A bad value stops
 * the bench with a message naming it, before anything is started; --help lists them.
 */
export type Table = "reads" | "cache" | "push" | "http2" | "page";
const TABLES: Table[] = ["reads", "cache", "push", "http2", "page"];
/** The tables that run nginx. */
export const NGINX_TABLES: Table[] = ["cache", "http2", "page"];

const USAGE = `npm run bench:protocols [-- --help]

The same data over every protocol, on real service processes; tables to stdout, progress
to stderr. Settings are environment variables:

  GAVEL_BENCH_ONLY               tables to make, of ${TABLES.join(",")} (all)
                                 reads: one page of lots over REST, GraphQL, the RPCs
                                 cache: REST and persisted GraphQL through nginx's cache
                                 push:  one lot event over WebSocket, SSE, WatchLot
                                 http2: REST over HTTP/2 against HTTP/1.1, edge and nginx
                                 page:  the GraphQL page's data over REST (lots + sellers)
  GAVEL_BENCH_SECONDS            measured seconds per cell (5)
  GAVEL_BENCH_WARMUP_SECONDS     warm-up before each cell (1)
  GAVEL_BENCH_CONCURRENCY        closed-loop workers of the read tables (1,8,32)
  GAVEL_BENCH_CACHE_CONCURRENCY  workers of the cache table (32)
  GAVEL_BENCH_BYTES_SAMPLES      sequential reads counted for wire bytes (20)
  GAVEL_BENCH_PUSH_CLIENTS       subscribers per push protocol (10)
  GAVEL_BENCH_PUSH_EVENTS        events published (200)
  GAVEL_BENCH_PUSH_INTERVAL_MS   between events (20)
  GAVEL_BENCH_LOTS, _SELLERS     lots seeded (60) and their sellers (8)
  NGINX_BIN                      nginx for ${NGINX_TABLES.join(", ")} (nginx on the PATH)

Figures and what they mean: docs/benchmarks.md#the-same-read-and-the-same-event-over-every-protocol
`;

export interface ProtocolSettings {
  /** Which tables to make (all by default). */
  tables: Set<Table>;
  /** Measured seconds per read variant and concurrency level. */
  seconds: number;
  /** Unmeasured seconds before each of those, at the same concurrency. */
  warmupSeconds: number;
  /** The fixed concurrency levels of the read table (closed-loop workers). */
  concurrency: number[];
  /** The concurrency of the HTTP cache table. */
  cacheConcurrency: number;
  /** Requests per variant in the wire-bytes pass (one connection, one at a time). */
  bytesSamples: number;
  /** Subscribers of each push protocol, all following the same lot at once. */
  pushClients: number;
  /** Lot events published for the push table, one every pushIntervalMs. */
  pushEvents: number;
  pushIntervalMs: number;
  /** Lots seeded, and how many sellers they are spread over. */
  lots: number;
  sellers: number;
}

const failures: string[] = [];

function integer(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max)
    failures.push(`${name}=${raw}: must be an integer from ${min} to ${max}`);
  return value;
}

function integerList(name: string, fallback: number[]): number[] {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const values = raw.split(",").map((v) => Number(v.trim()));
  if (values.some((v) => !Number.isInteger(v) || v < 1 || v > 512))
    failures.push(`${name}=${raw}: must be comma-separated integers from 1 to 512`);
  return values;
}

function tableList(name: string): Set<Table> {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return new Set(TABLES);
  const names = raw.split(",").map((t) => t.trim());
  const unknown = names.filter((t) => !TABLES.includes(t as Table));
  if (unknown.length) failures.push(`${name}=${raw}: names one of ${TABLES.join(", ")} each`);
  return new Set(names as Table[]);
}

export function readSettings(): ProtocolSettings {
  const args = process.argv.slice(2);
  if (args.includes("--help") || args.includes("-h")) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  if (args.length) failures.push(`unknown arguments ${args.join(" ")} (see --help)`);
  const settings: ProtocolSettings = {
    tables: tableList("GAVEL_BENCH_ONLY"),
    seconds: integer("GAVEL_BENCH_SECONDS", 5, 1, 600),
    warmupSeconds: integer("GAVEL_BENCH_WARMUP_SECONDS", 1, 0, 60),
    concurrency: integerList("GAVEL_BENCH_CONCURRENCY", [1, 8, 32]),
    cacheConcurrency: integer("GAVEL_BENCH_CACHE_CONCURRENCY", 32, 1, 512),
    bytesSamples: integer("GAVEL_BENCH_BYTES_SAMPLES", 20, 1, 10_000),
    pushClients: integer("GAVEL_BENCH_PUSH_CLIENTS", 10, 1, 1000),
    pushEvents: integer("GAVEL_BENCH_PUSH_EVENTS", 200, 10, 100_000),
    pushIntervalMs: integer("GAVEL_BENCH_PUSH_INTERVAL_MS", 20, 1, 10_000),
    lots: integer("GAVEL_BENCH_LOTS", 60, 50, 1000),
    sellers: integer("GAVEL_BENCH_SELLERS", 8, 1, 1000),
  };
  if (failures.length) {
    process.stderr.write(`bench/protocols: bad settings\n  ${failures.join("\n  ")}\n`);
    process.exit(2);
  }
  return settings;
}

/** One line for the tables' headings: what a figure was measured with. */
export function describeSettings(s: ProtocolSettings): string {
  return (
    `${s.seconds} s per cell after ${s.warmupSeconds} s warm-up, ` +
    `concurrency ${s.concurrency.join("/")}, wire bytes over ${s.bytesSamples} sequential requests`
  );
}
