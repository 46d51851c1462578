/**
 * The commands of docs/debugging-rpc.md, run for real: `buf curl` with the schema from
 * the repo's Buf module (no reflection server) against a real catalog and bidding on a
 * real NATS, over Connect, gRPC and gRPC-Web, and the Connect protocol's JSON mode as
 * plain `curl --http2-prior-knowledge` sends it.
 */
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import {
  mintToken,
  rawH2Request,
  repoRoot,
  serviceEnv,
  startNatsServer,
  startService,
  type NatsServerHandle,
  type ServiceProcess,
} from "@gavel/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const buf = join(repoRoot, "node_modules", ".bin", "buf");
const catalogService = "gavel.catalog.v1.CatalogService";
const biddingService = "gavel.bidding.v1.BiddingService";

let nats: NatsServerHandle;
let catalog: ServiceProcess;
let bidding: ServiceProcess;
let sellerId: string;
let token: string;
let created: BufCurlResult;

interface BufCurlResult {
  /** buf curl's exit code: 0, or an RPC failure's gRPC code shifted left by three. */
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * `buf curl --schema . --http2-prior-knowledge ARGS URL` from the repo root, with
 * `stdin` on its standard input; the method is the catalog's unless `on` says otherwise.
 * The TypeScript services speak only cleartext HTTP/2, so Connect and gRPC-Web need the
 * flag too (gRPC implies it).
 */
function bufCurl(
  method: string,
  args: string[],
  stdin = "",
  on = { rpcUrl: catalog.rpcUrl, service: catalogService },
): Promise<BufCurlResult> {
  const url = `${on.rpcUrl}/${on.service}/${method}`;
  const argv = ["curl", "--schema", ".", "--http2-prior-knowledge", ...args, url];
  return new Promise((resolve, reject) => {
    const child = execFile(buf, argv, { cwd: repoRoot, timeout: 15_000 }, (err, stdout, stderr) => {
      if (err && typeof err.code !== "number") reject(err);
      else resolve({ code: err ? Number(err.code) : 0, stdout, stderr });
    });
    child.stdin?.end(stdin);
  });
}

const bearer = () => ["-H", `Authorization: Bearer ${token}`];
const inAnHour = () => new Date(Date.now() + 3600_000).toISOString();
const draft = (title: string) => ({
  title,
  startingPrice: { currencyCode: "EUR", amountMinor: "1500" },
  endsAt: inAnHour(),
});
const createdLot = () => (JSON.parse(created.stdout) as { lot: { id: string } }).lot;

beforeAll(async () => {
  nats = await startNatsServer();
  catalog = await startService("catalog", {
    ...serviceEnv(nats.url),
    GAVEL_MIN_LOT_SECONDS: "1",
  });
  bidding = await startService("bidding", serviceEnv(nats.url));
  sellerId = randomUUID();
  token = await mintToken(sellerId);
  const request = { lot: draft("A brass sextant"), requestId: "buf-curl-test" };
  created = await bufCurl("CreateLot", [...bearer(), "-d", JSON.stringify(request)]);
}, 60_000);

afterAll(async () => {
  expect(await bidding?.stop()).toBe(0);
  expect(await catalog?.stop()).toBe(0);
  await nats?.stop();
});

describe("buf curl with the schema from the repo's Buf module", { timeout: 20_000 }, () => {
  it("creates a lot over Connect and prints the response as protobuf JSON", () => {
    expect(created).toMatchObject({ code: 0, stderr: "" });
    expect(JSON.parse(created.stdout)).toMatchObject({
      lot: {
        sellerId,
        title: "A brass sextant",
        status: "LOT_STATUS_OPEN",
        // int64 is a string in protobuf JSON; zero values are left out.
        startingPrice: { currencyCode: "EUR", amountMinor: "1500" },
        snipeWindowSeconds: 120,
      },
    });
  });

  it("reads the lot back over gRPC", async () => {
    const { id } = createdLot();
    const got = await bufCurl("GetLot", ["--protocol", "grpc", "-d", JSON.stringify({ id })]);
    expect(got.code).toBe(0);
    expect(JSON.parse(got.stdout)).toMatchObject({
      lot: { id, sellerId, title: "A brass sextant" },
    });
  });

  it("reports an unknown lot over gRPC-Web as not_found, on stderr, with exit code 5 << 3", async () => {
    const got = await bufCurl("GetLot", ["--protocol", "grpcweb", "-d", '{"id":"no-such-lot"}']);
    expect(got.code).toBe(5 << 3);
    expect(got.stdout).toBe("");
    expect(JSON.parse(got.stderr)).toMatchObject({ code: "not_found" });
  });

  it("streams the requests of a client-streaming call from stdin with -d @-", async () => {
    const stream = [
      { lot: draft("A pair of opera glasses") },
      { lot: { ...draft("x"), startingPrice: { currencyCode: "EUR", amountMinor: "-1" } } },
    ]
      .map((r) => JSON.stringify(r))
      .join("\n");
    const got = await bufCurl("ImportLots", [...bearer(), "-d", "@-"], stream);
    expect(got.code).toBe(0);
    const answer = JSON.parse(got.stdout) as { results: Array<{ error?: { code: string } }> };
    expect(answer).toMatchObject({ createdCount: 1, failedCount: 1 });
    expect(answer.results[1]).toMatchObject({ index: 1, error: { code: "invalid_argument" } });
  });
});

describe("buf curl on a bidirectional stream", { timeout: 20_000 }, () => {
  // One after the other on the same lot: the gRPC run bids one increment higher.
  it.each([
    { protocol: "Connect", flags: [], minor: "1500" },
    { protocol: "gRPC", flags: ["--protocol", "grpc"], minor: "1600" },
  ])(
    "runs a BidSession over $protocol from stdin with -d @-, answering each request, and ends at EOF",
    async ({ flags, minor }) => {
      const { id } = createdLot();
      const amount = { currencyCode: "EUR", amountMinor: minor };
      const requests = [
        { follow: { lotId: id } },
        { placeBid: { lotId: id, bidId: `buf-curl-${minor}-1`, amount } },
        { placeBid: { lotId: id, bidId: `buf-curl-${minor}-2`, amount } },
      ];
      const bidderToken = await mintToken(randomUUID());
      const got = await bufCurl(
        "BidSession",
        [...flags, "-H", `Authorization: Bearer ${bidderToken}`, "-d", "@-"],
        requests.map((r) => JSON.stringify(r)).join("\n"),
        { rpcUrl: bidding.rpcUrl, service: biddingService },
      );
      expect(got).toMatchObject({ code: 0, stderr: "" });
      // One pretty-printed JSON document per response, each closed by a "}" of its own.
      const replies = got.stdout
        .split(/^\}$/m)
        .filter((doc) => doc.trim() !== "")
        .map((doc) => JSON.parse(`${doc}}`) as Record<string, unknown>);
      expect(replies[0]).toMatchObject({
        followStarted: { lotId: id, state: { lotId: id, phase: "LOT_PHASE_OPEN" } },
      });
      expect(replies).toContainEqual(
        expect.objectContaining({
          bidAccepted: expect.objectContaining({
            bid: expect.objectContaining({ bidId: `buf-curl-${minor}-1`, amount }),
          }),
        }),
      );
      expect(replies).toContainEqual({
        bidRefused: expect.objectContaining({
          bidId: `buf-curl-${minor}-2`,
          code: "failed_precondition",
          rejection: expect.objectContaining({ reason: "REASON_ALREADY_HIGHEST" }),
        }),
      });
    },
  );
});

describe("the Connect protocol's JSON mode, as plain curl sends it", { timeout: 20_000 }, () => {
  const json = { "content-type": "application/json" };

  it("answers a JSON POST with the message as JSON", async () => {
    const { id } = createdLot();
    const path = `/${catalogService}/GetLot`;
    const res = await rawH2Request(catalog.rpcUrl, path, JSON.stringify({ id }), json);
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(res.body)).toMatchObject({ lot: { id, title: "A brass sextant" } });
  });

  it("answers an error with its HTTP status and the Connect error JSON", async () => {
    const path = `/${catalogService}/CreateLot`;
    const res = await rawH2Request(catalog.rpcUrl, path, JSON.stringify({ lot: draft("x") }), json);
    expect(res.status).toBe(401);
    expect(JSON.parse(res.body)).toMatchObject({ code: "unauthenticated" });
  });
});
