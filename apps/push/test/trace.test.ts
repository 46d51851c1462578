import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  mintToken,
  serviceEnv,
  SseText,
  ServiceGroup,
  startNatsServer,
  startOtlpReceiver,
  type NatsServerHandle,
  type ReceivedSpan,
  type ServiceProcess,
} from "@gavel/testing";
import { TestSocket } from "./ws-client.ts";

const INTERNAL = 1;
const SERVER = 2;
const CLIENT = 3;
const PRODUCER = 4;
const CONSUMER = 5;

/**
 * Every hop of a bid, each service exporting its spans to a real OTLP receiver. On a NATS
 * of its own: the projector's durable consumer is shared by every catalog on a server, and
 * another test file's catalog must not take the event whose span this test looks for.
 */
let nats: NatsServerHandle;
let receiver: Awaited<ReturnType<typeof startOtlpReceiver>>;
let group: ServiceGroup;
let edge: ServiceProcess;
let bff: ServiceProcess;
let pushA: ServiceProcess;
let pushB: ServiceProcess;
beforeAll(async () => {
  nats = await startNatsServer();
  receiver = await startOtlpReceiver();
  group = new ServiceGroup();
  const env = {
    ...serviceEnv(nats.url),
    ...receiver.env,
    GAVEL_MIN_LOT_SECONDS: "1",
    // Every push replica on one NATS must agree: it is the presence bucket's TTL.
    GAVEL_PUSH_PRESENCE_RENEW_MS: "500",
  };
  const [catalog, bidding] = await Promise.all([
    group.start("catalog", env),
    group.start("bidding", env),
  ]);
  const upstream = {
    GAVEL_CATALOG_URL: catalog.rpcUrl,
    GAVEL_BIDDING_URL: bidding.rpcUrl,
    GAVEL_IDENTITY_URL: catalog.rpcUrl, // not called on this path
  };
  edge = await group.start("edge", { ...env, ...upstream });
  bff = await group.start("bff", { ...env, ...upstream });
  pushA = await group.start("push", { ...env, ...upstream, GAVEL_REPLICA_ID: "trace-a" });
  // One replica per feed mode: each must give every event its delivery span.
  pushB = await group.start("push", {
    ...env,
    ...upstream,
    GAVEL_PUSH_FEEDS: "shared",
    GAVEL_REPLICA_ID: "trace-b",
  });
});
afterAll(async () => {
  await group?.stop();
  await receiver?.stop();
  await nats?.stop();
});

async function postJson(url: string, body: unknown, token: string) {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  if (res.status >= 300) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  return res.json() as Promise<Record<string, unknown>>;
}

/** Lists an hour-long lot through the edge, as a new seller; answers its id. */
async function createLot(title: string): Promise<string> {
  const lot = await postJson(
    `${edge.rpcUrl}/v1/lots`,
    {
      title,
      starting_price: { currency: "EUR", amount_minor: 1000 },
      ends_at: new Date(Date.now() + 3600_000).toISOString(),
    },
    await mintToken(randomUUID()),
  );
  return String(lot.id);
}

describe("one trace from a REST bid to the sockets that deliver it", () => {
  it("links the edge, bidding, the JetStream append, the projector and both push replicas", async () => {
    const lotId = await createLot("A traced lot");
    const onA = await TestSocket.open(pushA.rpcUrl);
    const onB = await TestSocket.open(pushB.rpcUrl);
    await onA.subscribe(`lot:${lotId}`);
    await onB.subscribe(`lot:${lotId}`);

    await postJson(
      `${edge.rpcUrl}/v1/lots/${lotId}/bids`,
      { amount: { currency: "EUR", amount_minor: 1200 } },
      await mintToken(randomUUID()),
    );
    const [event] = await onA.waitForEvents(`lot:${lotId}`, 1);
    const traceId = (event as unknown as { traceId: string }).traceId;
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    expect((await onB.waitForEvents(`lot:${lotId}`, 1))[0]).toMatchObject({ traceId });
    // A client resuming later gets the event replayed from storage, with the same trace.
    const late = await TestSocket.open(pushB.rpcUrl);
    await late.subscribe(`lot:${lotId}`, 0);
    const replayed = await late.waitForEvents(`lot:${lotId}`, 2);
    expect(replayed.map((e) => e.event)).toEqual(["opened", "bid_accepted"]);
    expect(replayed[1]).toMatchObject({ traceId });
    late.close();

    const trace = () => receiver.spans.filter((s) => s.traceId === traceId);
    const find = (service: string, kind: number, name: string) =>
      trace().filter((s) => s.service === service && s.kind === kind && s.name === name);
    await expect
      .poll(() => find("push", CONSUMER, "deliver gavel.lot.{lot_id}").length, { timeout: 10_000 })
      .toBe(2);
    await expect
      .poll(() => find("catalog", CONSUMER, "process gavel.lot.{lot_id}").length, {
        timeout: 10_000,
      })
      .toBe(1);
    await expect
      .poll(() => find("edge", SERVER, "POST /v1/lots/:id/bids").length, { timeout: 10_000 })
      .toBe(1);

    const one = (service: string, kind: number, name: string): ReceivedSpan => {
      const spans = find(service, kind, name);
      expect(spans, `${service} ${name}`).toHaveLength(1);
      return spans[0]!;
    };
    const request = one("edge", SERVER, "POST /v1/lots/:id/bids");
    const call = one("edge", CLIENT, "gavel.bidding.v1.BiddingService/PlaceBid");
    const handled = one("bidding", SERVER, "gavel.bidding.v1.BiddingService/PlaceBid");
    const appended = one("bidding", PRODUCER, "send gavel.lot.{lot_id}");
    const projected = one("catalog", CONSUMER, "process gavel.lot.{lot_id}");
    const delivered = find("push", CONSUMER, "deliver gavel.lot.{lot_id}");

    expect(request.parentSpanId).toBe("");
    expect(request.attributes).toMatchObject({
      "http.request.method": "POST",
      "http.route": "/v1/lots/:id/bids",
      "http.response.status_code": 201,
    });
    expect(call.parentSpanId).toBe(request.spanId);
    expect(call.attributes).toMatchObject({
      "rpc.system.name": "connectrpc",
      "rpc.method": "gavel.bidding.v1.BiddingService/PlaceBid",
    });
    expect(handled.parentSpanId).toBe(call.spanId);
    expect(appended.parentSpanId).toBe(handled.spanId);
    expect(appended.attributes).toMatchObject({
      "messaging.system": "nats",
      "messaging.destination.name": `gavel.lot.${lotId}`,
    });
    expect(projected.parentSpanId).toBe(appended.spanId);
    expect(delivered.map((s) => s.parentSpanId)).toEqual([appended.spanId, appended.spanId]);
    expect(new Set(delivered.map((s) => s.instance)).size).toBe(2);
    for (const span of delivered) {
      expect(span.attributes).toMatchObject({
        "gavel.push.receivers": 1,
        "gavel.push.ws_receivers": 1,
        "gavel.push.sse_receivers": 0,
      });
    }
    onA.close();
    onB.close();
  });

  it("writes to an SSE client inside the delivery's span, and ends the stream's request span once it is open", async () => {
    const lotId = await createLot("A lot followed over SSE");
    const onA = await TestSocket.open(pushA.rpcUrl);
    await onA.subscribe(`lot:${lotId}`);
    const abort = new AbortController();
    const res = await fetch(`${pushB.rpcUrl}/sse/lots/${lotId}`, { signal: abort.signal });
    const sse = new SseText(res);
    await sse.waitFor(": live after");

    // The request's span is exported while its stream is still open: it ended at the start.
    const opened = () =>
      receiver.spans.filter(
        (s) =>
          s.service === "push" &&
          s.kind === SERVER &&
          s.name === "GET /sse/lots/{lot_id}" &&
          s.attributes["url.path"] === `/sse/lots/${lotId}`,
      );
    await expect.poll(() => opened().length, { timeout: 10_000 }).toBe(1);
    expect(opened()[0]!.attributes).toMatchObject({
      "http.route": "/sse/lots/{lot_id}",
      "http.response.status_code": 200,
      "gavel.push.resumed": false,
      "gavel.push.replayed": 0,
    });

    await postJson(
      `${edge.rpcUrl}/v1/lots/${lotId}/bids`,
      { amount: { currency: "EUR", amount_minor: 1200 } },
      await mintToken(randomUUID()),
    );
    const [event] = await onA.waitForEvents(`lot:${lotId}`, 1);
    const traceId = (event as unknown as { traceId: string }).traceId;
    await sse.waitFor("event: bid_accepted");
    abort.abort();
    onA.close();

    const delivered = () =>
      receiver.spans.filter(
        (s) =>
          s.traceId === traceId && s.kind === CONSUMER && s.name === "deliver gavel.lot.{lot_id}",
      );
    await expect.poll(() => delivered().length, { timeout: 10_000 }).toBe(2);
    // Replica B's only receiver of this lot is the SSE stream: its write was in the span.
    const atB = delivered().find((s) => s.instance === opened()[0]!.instance);
    expect(atB?.attributes).toMatchObject({
      "gavel.push.receivers": 1,
      "gavel.push.ws_receivers": 0,
      "gavel.push.sse_receivers": 1,
    });
  });

  it("links a GraphQL bid: the BFF's request, operation and root field, then the same path", async () => {
    const seller = await mintToken(randomUUID());
    const lot = await postJson(
      `${edge.rpcUrl}/v1/lots`,
      {
        title: "A lot bid on over GraphQL",
        starting_price: { currency: "EUR", amount_minor: 1000 },
        ends_at: new Date(Date.now() + 3600_000).toISOString(),
      },
      seller,
    );
    const lotId = String(lot.id);
    const socket = await TestSocket.open(pushA.rpcUrl);
    await socket.subscribe(`lot:${lotId}`);
    const res = await fetch(`${bff.rpcUrl}/graphql`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        authorization: `Bearer ${await mintToken(randomUUID())}`,
      },
      body: JSON.stringify({
        query: `mutation PlaceBid($lotId: ID!, $bidId: ID!) {
          placeBid(lotId: $lotId, bidId: $bidId, amount: { currency: "EUR", amountMinor: "1300" }) {
            __typename
          }
        }`,
        variables: { lotId, bidId: randomUUID() },
      }),
    });
    expect(await res.json()).toEqual({
      data: { placeBid: { __typename: "BidPlaced" } },
      extensions: expect.anything(),
    });
    const [event] = await socket.waitForEvents(`lot:${lotId}`, 1);
    const traceId = (event as unknown as { traceId: string }).traceId;
    const trace = () => receiver.spans.filter((s) => s.traceId === traceId);
    // Each process exports on its own schedule: wait for the last span of each.
    const names = ["deliver gavel.lot.{lot_id}", "POST /graphql", "mutation PlaceBid"];
    await expect
      .poll(() => names.every((n) => trace().some((s) => s.name === n)), { timeout: 10_000 })
      .toBe(true);
    const one = (service: string, kind: number, name: string) => {
      const spans = trace().filter(
        (s) => s.service === service && s.kind === kind && s.name === name,
      );
      expect(spans, `${service} ${name}`).toHaveLength(1);
      return spans[0]!;
    };
    const request = one("bff", SERVER, "POST /graphql");
    const operation = one("bff", INTERNAL, "mutation PlaceBid");
    const field = one("bff", INTERNAL, "Mutation.placeBid");
    const call = one("bff", CLIENT, "gavel.bidding.v1.BiddingService/PlaceBid");
    const handled = one("bidding", SERVER, "gavel.bidding.v1.BiddingService/PlaceBid");
    expect(operation.parentSpanId).toBe(request.spanId);
    expect(operation.attributes).toMatchObject({
      "graphql.operation.type": "mutation",
      "graphql.operation.name": "PlaceBid",
    });
    expect(JSON.stringify(operation.attributes)).not.toContain("1300"); // no variables
    expect(field.parentSpanId).toBe(operation.spanId);
    expect(call.parentSpanId).toBe(field.spanId);
    expect(handled.parentSpanId).toBe(call.spanId);
    socket.close();
  });

  it("exports the RED metrics of each protocol and the push gateway's own", async () => {
    const expected = [
      ["edge", "http.server.request.duration"],
      ["edge", "rpc.client.call.duration"],
      ["bidding", "rpc.server.call.duration"],
      ["bff", "http.server.request.duration"],
      ["push", "gavel.push.connections"],
      ["push", "gavel.push.fanout.lag"],
      ["push", "gavel.push.deliveries"],
    ] as const;
    await expect
      .poll(() => expected.filter(([service, name]) => !receiver.hasMetric(service, name)), {
        timeout: 10_000,
      })
      .toEqual([]);
  });
});
