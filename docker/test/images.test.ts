import { randomUUID } from "node:crypto";
import { Code, ConnectError } from "@connectrpc/connect";
import { getContainerRuntimeClient } from "testcontainers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SettlementService } from "@gavel/proto/settlement/v1/settlement";
import { connectClient, mintToken, serviceEnv, SseText } from "@gavel/testing";
import { ImageStack, type RunningApp } from "./image-stack.ts";

/**
 * The images CI builds (scripts/docker/build-images.sh), started as containers the way
 * the chart runs them: a bid goes in at the edge, through bidding, into JetStream, and
 * out of the push gateway's SSE stream; the catalog's projection shows it. The Go image
 * (settlement, FROM scratch) starts beside them and answers over h2c.
 */
const stack = new ImageStack();
let edge: RunningApp;
let push: RunningApp;
let settlement: RunningApp;
beforeAll(async () => {
  await stack.startNats();
  const env = serviceEnv(stack.natsUrl);
  const [catalog, bidding] = await Promise.all([
    stack.start("catalog", env),
    stack.start("bidding", env),
  ]);
  const upstream = {
    GAVEL_CATALOG_URL: catalog.internalUrl,
    GAVEL_BIDDING_URL: bidding.internalUrl,
    GAVEL_IDENTITY_URL: catalog.internalUrl, // sign-in is not on this path
  };
  [edge, push, settlement] = await Promise.all([
    stack.start("edge", { ...env, ...upstream, GAVEL_WEB_DIR: "/app/web" }),
    stack.start("push", { ...env, ...upstream }),
    // Healthy once the lot events stream the catalog and bidding made exists.
    stack.start("settlement", { ...env, GAVEL_CATALOG_URL: catalog.internalUrl }),
  ]);
}, 240_000);
afterAll(() => stack.stop(), 60_000);

async function post(url: string, body: unknown, token: string) {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as Record<string, unknown>;
  return { status: res.status, json };
}

describe("the built images", () => {
  it("run as a non-root user with NODE_ENV=production", async () => {
    const { output } = await edge.container.exec(["sh", "-c", 'id -u; echo "$NODE_ENV"']);
    expect(output.trim().split("\n")).toEqual(["1000", "production"]);
  });

  it("run the Go service as a numeric non-root user, healthy by its own healthcheck", async () => {
    // No shell in a scratch image: what Docker runs it as, and the binary's own check.
    const client = await getContainerRuntimeClient();
    const info = await client.container.inspect(
      client.container.getById(settlement.container.getId()),
    );
    expect(info.Config.User).toBe("1000:1000");
    expect(info.State.Health?.Status).toBe("healthy");
    expect((await settlement.container.exec(["/app", "healthcheck"])).exitCode).toBe(0);
    const settlementClient = connectClient(SettlementService, settlement.url);
    const asBuyer = { headers: { authorization: `Bearer ${await mintToken(randomUUID())}` } };
    const missing = await settlementClient.getInvoice({ lotId: randomUUID() }, asBuyer).then(
      () => undefined,
      (err: unknown) => ConnectError.from(err).code,
    );
    expect(missing).toBe(Code.NotFound);
  });

  it("serve the web page from the edge's image", async () => {
    const page = await fetch(`${edge.url}/`, { headers: { accept: "text/html" } });
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    expect(await page.text()).toContain("<script");
  });

  it("take a bid at the edge and push it out over SSE", async () => {
    const created = await post(
      `${edge.url}/v1/lots`,
      {
        title: "A lot sold from the images",
        starting_price: { currency: "EUR", amount_minor: 1000 },
        ends_at: new Date(Date.now() + 3600_000).toISOString(),
      },
      await mintToken(randomUUID()),
    );
    expect(created.status).toBe(201);
    const lotId = String(created.json.id);

    const abort = new AbortController();
    const stream = await fetch(`${push.url}/sse/lots/${lotId}`, { signal: abort.signal });
    expect(stream.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    const sse = new SseText(stream);
    await sse.waitFor(": live after");

    const bid = await post(
      `${edge.url}/v1/lots/${lotId}/bids`,
      { amount: { currency: "EUR", amount_minor: 1200 } },
      await mintToken(randomUUID()),
    );
    expect(bid.status).toBe(201);
    await sse.waitFor("event: bid_accepted");
    expect(sse.text).toContain('"amountMinor":"1200"');
    abort.abort();

    // The catalog's projection (a durable consumer in its own container) catches up.
    await expect
      .poll(
        async () => {
          const lot = (await (await fetch(`${edge.url}/v1/lots/${lotId}`)).json()) as {
            highest_bid?: { amount_minor?: number } | null;
          };
          return lot.highest_bid?.amount_minor;
        },
        { timeout: 15_000 },
      )
      .toBe(1200);
  });
});
