/**
 * The web page's dashboard query through two GraphQL BFFs side by side, one batching and
 * one not: throughput, latency and the RPCs one query costs.
 * Why: docs/benchmarks.md#graphql-dashboard-query-with-and-without-batching
 *
 *   npm run bench:bff -- [--seconds 10] [--connections 16] [--runs 3]
 */
import { randomUUID } from "node:crypto";
import { parseCommandLine } from "@gavel/config/command-line";
import autocannon from "autocannon";
import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { BiddingService } from "@gavel/proto/bidding/v1/bidding";
import { CatalogService, LotDraftSchema } from "@gavel/proto/catalog/v1/catalog";
import { IdentityService } from "@gavel/proto/identity/v1/identity";
import {
  authHeader,
  connectClient,
  mintToken,
  serviceEnv,
  startService,
  type AppName,
  type ServiceProcess,
} from "@gavel/testing";
import { median, printTable } from "@gavel/load";
import { startBenchNats } from "../shared/bench-nats.ts";
import { cpuPerRequest, cpuSecondsByGroup } from "../shared/cpu-time.ts";
import { linuxProc, natsServer, requirePrerequisites } from "../shared/prerequisites.ts";

const { values: args } = parseCommandLine("npm run bench:bff --", {
  options: {
    seconds: { type: "string", default: "10" },
    connections: { type: "string", default: "16" },
    runs: { type: "string", default: "3" },
  },
});
const SECONDS = Number(args.seconds);
const CONNECTIONS = Number(args.connections);
const RUNS = Number(args.runs);

const LOTS = 50;
const SELLERS = 25;
const BIDDERS = 10;

/** What the auction floor asks for on load: the viewer and a page of lots with sellers. */
const DASHBOARD = /* GraphQL */ `
  query Dashboard {
    viewer {
      user {
        id
        displayName
      }
    }
    lots(first: 50, filter: { status: OPEN }) {
      totalCount
      edges {
        node {
          id
          title
          endsAt
          timeLeftSeconds
          bidCount
          highestBid {
            amount
            currency
          }
          seller {
            id
            displayName
          }
        }
      }
    }
  }
`;

requirePrerequisites("bench:bff", [linuxProc, natsServer()]);
const nats = await startBenchNats();
const processes: ServiceProcess[] = [];
process.once("exit", () => processes.forEach((p) => p.stop("SIGKILL")));
const env = { ...serviceEnv(nats.url), LOG_LEVEL: "warn" };

async function startTracked(app: AppName, extra: Record<string, string> = {}) {
  const started = await startService(app, { ...env, ...extra });
  processes.push(started);
  return started;
}

try {
  const identity = await startTracked("identity");
  const catalog = await startTracked("catalog");
  const bidding = await startTracked("bidding");
  const upstreamEnv = {
    GAVEL_IDENTITY_URL: identity.rpcUrl,
    GAVEL_CATALOG_URL: catalog.rpcUrl,
    GAVEL_BIDDING_URL: bidding.rpcUrl,
  };
  const batched = await startTracked("bff", upstreamEnv);
  const unbatched = await startTracked("bff", { ...upstreamEnv, GAVEL_GRAPHQL_BATCHING: "false" });

  process.stderr.write(`seeding ${LOTS} lots from ${SELLERS} sellers with bids...\n`);
  const users = await signUp(identity.rpcUrl, SELLERS + BIDDERS + 1);
  await seed(catalog.rpcUrl, bidding.rpcUrl, users.slice(0, SELLERS), users.slice(SELLERS, -1));
  const viewer = users.at(-1)!;
  const headers = {
    "content-type": "application/json",
    authorization: `Bearer ${await mintToken(viewer)}`,
  };
  const body = JSON.stringify({ query: DASHBOARD });

  const rows = [];
  for (const [name, bff] of [
    ["with batching", batched],
    ["without batching", unbatched],
  ] as const) {
    const url = `${bff.rpcUrl}/graphql`;
    const calls = await upstreamCalls(url, headers, body);
    const runs = [];
    // CPU per query of the BFF answering and of the services behind it.
    const cpuNow = () =>
      cpuSecondsByGroup({
        bff: [bff.pid],
        catalog: [catalog.pid],
        others: [identity.pid, bidding.pid],
      });
    const cpu: Array<ReturnType<typeof cpuNow>> = [];
    for (let r = 1; r <= RUNS; r++) {
      const before = cpuNow();
      const result = await autocannon({
        url,
        method: "POST",
        headers,
        body,
        connections: CONNECTIONS,
        duration: SECONDS,
        // A GraphQL error comes in a 200 (a resolver failed, the rest answered): count it.
        verifyBody: (text) => !String(text).includes('"errors"'),
      });
      process.stderr.write(
        `${name}, run ${r}/${RUNS}: ${result.requests.average} req/s, ${result.non2xx} non-2xx\n`,
      );
      cpu.push(cpuPerRequest(before, cpuNow(), result.requests.total, 1e6));
      runs.push(result);
    }
    const cpuColumn = (key: keyof (typeof cpu)[number]) =>
      Math.round(median(cpu.map((c) => c[key])));
    rows.push({
      loaders: name,
      "RPCs per query": Object.values(calls).reduce((n, c) => n + c, 0),
      "queries/s": median(runs.map((r) => r.requests.average)),
      "p50 ms": median(runs.map((r) => r.latency.p50)),
      "p99 ms": median(runs.map((r) => r.latency.p99)),
      errors: runs.reduce((n, r) => n + r.errors + r.timeouts + r.non2xx + r.mismatches, 0),
      "BFF CPU µs/query": cpuColumn("bff"),
      "catalog CPU µs/query": cpuColumn("catalog"),
      "identity+bidding CPU µs/query": cpuColumn("others"),
    });
  }
  console.log(
    `\nDashboard query (${LOTS} lots, ${SELLERS} sellers), ${SECONDS} s per run, ` +
      `${CONNECTIONS} connections, median of ${RUNS} runs\n`,
  );
  printTable(rows);
} finally {
  // Fronts first, as a deployment drains: a BFF still resolving must not find its
  // services gone.
  const fronts = processes.filter((p) => p.app === "bff");
  await Promise.all(fronts.map((p) => p.stop()));
  await Promise.all(processes.filter((p) => p.app !== "bff").map((p) => p.stop()));
  await nats.stop();
}

/** New users at identity; returns their ids. */
async function signUp(identityUrl: string, count: number): Promise<string[]> {
  const client = connectClient(IdentityService, identityUrl);
  const ids = [];
  for (let i = 0; i < count; i++) {
    const { user } = await client.signUp({
      email: `bench-${randomUUID()}@example.com`,
      password: "bench password",
      displayName: `Bench user ${i}`,
    });
    ids.push(user!.id);
  }
  return ids;
}

/** LOTS lots spread over the sellers, each with two or three bids from the bidders. */
async function seed(catalogUrl: string, biddingUrl: string, sellers: string[], bidders: string[]) {
  const catalog = connectClient(CatalogService, catalogUrl);
  const bidding = connectClient(BiddingService, biddingUrl);
  for (let i = 0; i < LOTS; i++) {
    const seller = sellers[i % sellers.length]!;
    const { lot } = await catalog.createLot(
      {
        lot: create(LotDraftSchema, {
          title: `Dashboard lot ${i}`,
          startingPrice: { currencyCode: "EUR", amountMinor: 1000n },
          endsAt: timestampFromMs(Date.now() + 3600_000),
        }),
      },
      authHeader(await mintToken(seller)),
    );
    for (let b = 0; b < 2 + (i % 2); b++) {
      const bidder = bidders[(i + b) % bidders.length]!;
      await bidding.placeBid(
        {
          lotId: lot!.id,
          bidId: randomUUID(),
          amount: { currencyCode: "EUR", amountMinor: BigInt(1000 + 100 * (b + 1)) },
        },
        authHeader(await mintToken(bidder)),
      );
    }
  }
}

/** The RPCs one query costs, by procedure (the BFF reports them in development). */
async function upstreamCalls(url: string, headers: Record<string, string>, body: string) {
  const res = await fetch(url, { method: "POST", headers, body });
  const json = (await res.json()) as {
    errors?: unknown[];
    extensions?: { upstreamCalls?: Record<string, number> };
  };
  if (json.errors) throw new Error(`the dashboard query failed: ${JSON.stringify(json.errors)}`);
  return json.extensions?.upstreamCalls ?? {};
}
