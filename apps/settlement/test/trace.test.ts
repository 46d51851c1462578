import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CatalogService } from "@gavel/proto/catalog/v1/catalog";
import { SettlementService } from "@gavel/proto/settlement/v1/settlement";
import {
  authHeader,
  connectClient,
  mintToken,
  serviceEnv,
  ServiceGroup,
  spansOf,
  SseText,
  startJaeger,
  startNatsServer,
  type JaegerHandle,
  type NatsServerHandle,
  type ServiceProcess,
} from "@gavel/testing";

/**
 * One trace from a winning bid's HTTP request, through the TypeScript services and NATS,
 * into the Go settlement service and on to the notifications, read back from a real
 * Jaeger's query API, as a person would look at it. Every service exports to that Jaeger.
 */
let nats: NatsServerHandle;
let jaeger: JaegerHandle;
let group: ServiceGroup;
let edge: ServiceProcess;
let push: ServiceProcess;
let catalog: ServiceProcess;
let settlement: ServiceProcess;
beforeAll(async () => {
  // NATS of its own: durable consumers (settlement, notifier, projector) are per server.
  // Each is kept as soon as it runs, so afterAll stops it even if the other fails.
  const started = await Promise.allSettled([
    startNatsServer().then((n) => (nats = n)),
    startJaeger().then((j) => (jaeger = j)),
  ]);
  for (const result of started) if (result.status === "rejected") throw result.reason;
  group = new ServiceGroup();
  const env = { ...serviceEnv(nats.url), ...jaeger.env, GAVEL_MIN_LOT_SECONDS: "1" };
  let bidding: ServiceProcess;
  [catalog, bidding] = await Promise.all([
    group.start("catalog", env),
    group.start("bidding", env),
  ]);
  settlement = await group.start("settlement", env);
  const upstream = {
    GAVEL_CATALOG_URL: catalog.rpcUrl,
    GAVEL_BIDDING_URL: bidding.rpcUrl,
    GAVEL_IDENTITY_URL: catalog.rpcUrl, // not called on this path
    GAVEL_SETTLEMENT_URL: settlement.rpcUrl,
  };
  [edge, push] = await Promise.all([
    group.start("edge", { ...env, ...upstream }),
    group.start("push", { ...env, ...upstream }),
    group.start("notifier", env),
  ]);
}, 120_000);
afterAll(async () => {
  await group?.stop();
  await jaeger?.stop();
  await nats?.stop();
});

async function post(path: string, body: unknown, token: string): Promise<{ id: string }> {
  const res = await fetch(`${edge.rpcUrl}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  if (res.status !== 201) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as { id: string };
}

describe("tracing across languages into Jaeger", () => {
  it("runs one trace from the winning bid's request through the close into Go and out to the notifications", async () => {
    const [seller, buyer] = [randomUUID(), randomUUID()];
    const lot = await post(
      "/v1/lots",
      {
        title: "A lot traced into Go",
        starting_price: { currency: "EUR", amount_minor: 1_000_00 },
        ends_at: new Date(Date.now() + 2500).toISOString(),
        // A bid this close to the end must not extend it by the default two minutes.
        snipe_window_seconds: 1,
      },
      await mintToken(seller),
    );
    // A viewer on the lot's SSE stream, so the push gateway delivers in the trace too.
    const abort = new AbortController();
    const sse = new SseText(
      await fetch(`${push.rpcUrl}/sse/lots/${lot.id}`, { signal: abort.signal }),
    );
    await sse.waitFor(": live after");
    await post(
      `/v1/lots/${lot.id}/bids`,
      { amount: { currency: "EUR", amount_minor: 1_200_00 } },
      await mintToken(buyer),
    );
    await sse.waitFor("event: closed");
    abort.abort();

    // The invoice exists, and the buyer reads it from the Go service over Connect.
    const client = connectClient(SettlementService, settlement.rpcUrl);
    const buyerToken = authHeader(await mintToken(buyer));
    await expect
      .poll(
        () =>
          client.getInvoice({ lotId: lot.id }, buyerToken).then(
            (r) => r.invoice?.lotId,
            () => undefined,
          ),
        { timeout: 10_000 },
      )
      .toBe(lot.id);

    // Found the way a person would: Jaeger's search, by service, operation and lot.
    const search = {
      service: "settlement",
      operation: "process gavel.lot.{lot_id}",
      tags: JSON.stringify({ "gavel.lot.id": lot.id }),
    };
    let traceId = "";
    await expect
      .poll(async () => (traceId = (await jaeger.findTraces(search))[0]?.traceID ?? ""), {
        timeout: 15_000,
      })
      .not.toBe("");
    const trace = await jaeger.untilTraceHas(traceId, [
      "edge POST /v1/lots/:id/bids",
      "notifier process gavel.invoice.{lot_id}",
      "push deliver gavel.lot.{lot_id}",
    ]);
    const t = spansOf(trace);

    const request = t.one("edge", "POST /v1/lots/:id/bids");
    expect(t.parent(request)).toBeUndefined(); // the root
    const placed = t.one("bidding", "gavel.bidding.v1.BiddingService/PlaceBid");
    const bidAppend = t.one(
      "bidding",
      "send gavel.lot.{lot_id}",
      (s) => t.parent(s)?.spanID === placed.spanID,
    );
    const close = t.one("bidding", "close lot");
    const closeAppend = t.one("bidding", "send gavel.lot.{lot_id}", (s) => t.descends(s, close));
    const settled = t.one("settlement", "process gavel.lot.{lot_id}");
    const issued = t.one("settlement", "send gavel.invoice.{lot_id}");
    const notified = t.one("notifier", "process gavel.invoice.{lot_id}");

    expect(t.descends(placed, request)).toBe(true);
    // The close continues the winning bid's trace: a child of its append.
    expect(t.parent(close)?.spanID).toBe(bidAppend.spanID);
    expect(t.parent(settled)?.spanID).toBe(closeAppend.spanID);
    expect(t.parent(issued)?.spanID).toBe(settled.spanID);
    expect(t.parent(notified)?.spanID).toBe(issued.spanID);
    // The push gateway delivered the bid and the close to the SSE viewer, in this trace.
    const delivered = t.find("push", "deliver gavel.lot.{lot_id}").map((s) => t.parent(s)?.spanID);
    expect(delivered).toEqual(expect.arrayContaining([bidAppend.spanID, closeAppend.spanID]));

    // The Go spans follow the same conventions as the TypeScript ones.
    expect(t.tag(settled, "span.kind")).toBe("consumer");
    expect(t.tag(settled, "messaging.system")).toBe("nats");
    expect(t.tag(settled, "messaging.destination.name")).toBe(`gavel.lot.${lot.id}`);
    expect(t.tag(settled, "gavel.settlement.outcome")).toBe("issued");
    expect(t.tag(issued, "span.kind")).toBe("producer");
    const services = new Set(trace.spans.map(t.service));
    expect([...services].sort()).toEqual(
      expect.arrayContaining(["bidding", "edge", "notifier", "push", "settlement"]),
    );
  });

  it("describes a failed Connect call in the same words in Go and in TypeScript", async () => {
    const token = authHeader(await mintToken(randomUUID()));
    await expect(
      connectClient(SettlementService, settlement.rpcUrl).getInvoice(
        { lotId: "no-such-lot" },
        token,
      ),
    ).rejects.toThrow(/no invoice/);
    await expect(
      connectClient(CatalogService, catalog.rpcUrl).getLot({ id: "no-such-lot" }, token),
    ).rejects.toThrow(/no-such-lot/);

    // One search finds the failed call in either language: the same tag, the same value.
    const failedCall = async (service: string, method: string) => {
      const traces = await jaeger.findTraces({
        service,
        tags: JSON.stringify({ "rpc.response.status_code": "NOT_FOUND", "rpc.method": method }),
      });
      const span = traces[0]?.spans.find((s) => s.operationName === method);
      // The conventions' attributes, without Jaeger's and the SDK's own.
      return (
        span &&
        Object.fromEntries(
          span.tags
            .filter((t) => /^(rpc|error|server|network)\./.test(t.key))
            .map((t) => [t.key, t.value]),
        )
      );
    };
    const go = "gavel.settlement.v1.SettlementService/GetInvoice";
    const ts = "gavel.catalog.v1.CatalogService/GetLot";
    let inGo: Record<string, unknown> | undefined;
    let inTs: Record<string, unknown> | undefined;
    await expect
      .poll(
        async () => {
          [inGo, inTs] = await Promise.all([
            failedCall("settlement", go),
            failedCall("catalog", ts),
          ]);
          return inGo !== undefined && inTs !== undefined;
        },
        { timeout: 15_000 },
      )
      .toBe(true);
    const failure = { "rpc.system.name": "connectrpc", "rpc.response.status_code": "NOT_FOUND" };
    expect(inGo).toEqual({ ...failure, "rpc.method": go, "error.type": "NOT_FOUND" });
    expect(inTs).toEqual({ ...failure, "rpc.method": ts, "error.type": "NOT_FOUND" });
  });
});
