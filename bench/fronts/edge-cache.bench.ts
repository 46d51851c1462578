/**
 * The REST edge's read paths (a full GET of a lot, the same GET answered 304) beside a bare
 * Express route: the ratio is the cost of the edge and the service hop behind it.
 * Why: docs/benchmarks.md#rest-edge-read-paths
 *
 *   npm run bench:edge -- [--seconds 10] [--connections 32] [--runs 3]
 */
import { fileURLToPath } from "node:url";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { parseCommandLine } from "@gavel/config/command-line";
import autocannon from "autocannon";
import { freePort, serviceEnv, startService, type ServiceProcess } from "@gavel/testing";
import { median, printTable } from "@gavel/load";
import { startBenchNats } from "../shared/bench-nats.ts";
import { childNamed, cpuPerRequest, cpuSecondsByGroup } from "../shared/cpu-time.ts";
import { linuxProc, natsServer, requirePrerequisites } from "../shared/prerequisites.ts";

const { values: args } = parseCommandLine("npm run bench:edge --", {
  options: {
    seconds: { type: "string", default: "10" },
    connections: { type: "string", default: "32" },
    runs: { type: "string", default: "3" },
  },
});
const SECONDS = Number(args.seconds);
const CONNECTIONS = Number(args.connections);
const RUNS = Number(args.runs);

requirePrerequisites("bench:edge", [linuxProc, natsServer()]);
const nats = await startBenchNats();
const processes: ServiceProcess[] = [];
const barePort = await freePort();
const bare = spawn(
  process.execPath,
  [fileURLToPath(new URL("bare-express.ts", import.meta.url)), String(barePort)],
  {
    stdio: ["ignore", "pipe", "inherit"],
  },
);
try {
  await once(bare.stdout!, "data");
  const env = { ...serviceEnv(nats.url), LOG_LEVEL: "warn" };
  for (const app of ["identity", "catalog", "bidding"] as const)
    processes.push(await startService(app, env));
  const [identity, catalog, bidding] = processes;
  const edge = await startService("edge", {
    ...env,
    GAVEL_IDENTITY_URL: identity!.rpcUrl,
    GAVEL_CATALOG_URL: catalog!.rpcUrl,
    GAVEL_BIDDING_URL: bidding!.rpcUrl,
    // The benchmark is one client: lift the per-IP limit so it measures the path.
    GAVEL_RATE_LIMIT_PER_IP: "1000000",
  });
  processes.push(edge);

  const lotUrl = await createLot(edge.rpcUrl);
  const etag = (await fetch(lotUrl)).headers.get("etag")!;
  const natsPid = childNamed("nats-server");
  // CPU per request of the process that answers (the bare route's, or the edge's), of
  // the catalog behind the edge, and of nats-server: steadier than requests/s on a
  // machine whose two cores also run autocannon.
  const cpuNow = (front: number) =>
    cpuSecondsByGroup({ front: [front], catalog: [catalog!.pid], nats: natsPid ? [natsPid] : [] });
  const targets = [
    {
      name: "bare Express route (baseline)",
      url: `http://127.0.0.1:${barePort}/lot`,
      headers: {},
      front: bare.pid!,
      upstream: false,
    },
    { name: "GET /v1/lots/{id} (200)", url: lotUrl, headers: {}, front: edge.pid, upstream: true },
    {
      name: "GET /v1/lots/{id} (304)",
      url: lotUrl,
      headers: { "if-none-match": etag },
      front: edge.pid,
      upstream: true,
    },
  ];
  const rows = [];
  for (const target of targets) {
    const runs = [];
    const cpu: Array<ReturnType<typeof cpuNow>> = [];
    for (let r = 1; r <= RUNS; r++) {
      const before = cpuNow(target.front);
      const result = await autocannon({
        url: target.url,
        headers: target.headers,
        connections: CONNECTIONS,
        duration: SECONDS,
      });
      process.stderr.write(
        `${target.name}, run ${r}/${RUNS}: ${result.requests.average} req/s, ${result.non2xx} non-2xx\n`,
      );
      cpu.push(cpuPerRequest(before, cpuNow(target.front), result.requests.total, 1e6));
      runs.push(result);
    }
    const cpuColumn = (key: keyof (typeof cpu)[number]) =>
      target.upstream || key === "front" ? Math.round(median(cpu.map((c) => c[key]))) : "-";
    rows.push({
      path: target.name,
      "requests/s": median(runs.map((r) => r.requests.average)),
      "p50 ms": median(runs.map((r) => r.latency.p50)),
      "p99 ms": median(runs.map((r) => r.latency.p99)),
      errors: runs.reduce((n, r) => n + r.errors + r.timeouts, 0),
      "front CPU µs/req": cpuColumn("front"),
      "catalog CPU µs/req": cpuColumn("catalog"),
      "nats CPU µs/req": cpuColumn("nats"),
    });
  }
  const baseline = rows[0]!["requests/s"];
  console.log(
    `\nEdge read paths, ${SECONDS} s per run, ${CONNECTIONS} connections, median of ${RUNS} runs\n`,
  );
  printTable(
    rows.map((row) => ({ ...row, "vs baseline": `${(row["requests/s"] / baseline).toFixed(2)}x` })),
  );
} finally {
  bare.kill();
  await Promise.all(processes.map((p) => p.stop()));
  await nats.stop();
}

async function createLot(edgeUrl: string): Promise<string> {
  const email = `bench-${Date.now()}@example.com`;
  const json = { "content-type": "application/json" };
  await fetch(`${edgeUrl}/v1/auth/sign-up`, {
    method: "POST",
    headers: json,
    body: JSON.stringify({ email, password: "bench password", display_name: "Bench" }),
  });
  const session = (await (
    await fetch(`${edgeUrl}/v1/auth/sign-in`, {
      method: "POST",
      headers: json,
      body: JSON.stringify({ email, password: "bench password" }),
    })
  ).json()) as { access_token: string };
  const created = await fetch(`${edgeUrl}/v1/lots`, {
    method: "POST",
    headers: { ...json, authorization: `Bearer ${session.access_token}` },
    body: JSON.stringify({
      title: "Bench lot",
      starting_price: { currency: "EUR", amount_minor: 1000 },
      ends_at: new Date(Date.now() + 3600_000).toISOString(),
    }),
  });
  return `${edgeUrl}${created.headers.get("location")}`;
}
