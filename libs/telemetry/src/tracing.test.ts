import http2 from "node:http2";
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { connectNodeAdapter, createConnectTransport } from "@connectrpc/connect-node";
import { headers as natsHeaders } from "@nats-io/nats-core";
import { context, propagation, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  TracerProvider,
} from "@opentelemetry/sdk-trace";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { BiddingService } from "@gavel/proto/bidding/v1/bidding";
import { connectClientTracing, connectServerTracing } from "./connect-tracing.ts";
import { traceDeliver, traceProcess, tracePublish } from "./nats-tracing.ts";

const exporter = new InMemorySpanExporter();
const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
trace.setGlobalTracerProvider(provider);
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
propagation.setGlobalPropagator(new W3CTraceContextPropagator());

const spans = () => exporter.getFinishedSpans();
const parentOf = (span: ReturnType<typeof spans>[number]) => span.parentSpanContext?.spanId;

/** A Connect server with the tracing interceptor, whose handlers report the active span. */
let server: http2.Http2Server;
let client: ReturnType<typeof createClient<typeof BiddingService>>;
const seenByHandler: Array<string | undefined> = [];
beforeAll(async () => {
  const handler = connectNodeAdapter({
    interceptors: [connectServerTracing()],
    routes: (router) =>
      router.service(BiddingService, {
        async getLotState(req) {
          seenByHandler.push(trace.getActiveSpan()?.spanContext().spanId);
          if (req.lotId === "missing") throw new ConnectError("no such lot", Code.NotFound);
          if (req.lotId === "broken") throw new ConnectError("it broke", Code.Internal);
          return {};
        },
        async *watchLot() {
          for (let i = 0; i < 3; i++) {
            seenByHandler.push(trace.getActiveSpan()?.spanContext().spanId);
            yield {};
          }
        },
      }),
  });
  server = http2.createServer(handler);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  client = createClient(
    BiddingService,
    createConnectTransport({
      baseUrl: `http://127.0.0.1:${port}`,
      httpVersion: "2",
      interceptors: [connectClientTracing()],
    }),
  );
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  exporter.reset();
  seenByHandler.length = 0;
});

describe("Connect tracing", () => {
  it("parents the server span to the client span through the request headers", async () => {
    await client.getLotState({ lotId: "lot-1" });
    const [serverSpan, clientSpan] = [
      spans().find((s) => s.kind === SpanKind.SERVER)!,
      spans().find((s) => s.kind === SpanKind.CLIENT)!,
    ];
    expect(clientSpan.name).toBe("gavel.bidding.v1.BiddingService/GetLotState");
    expect(serverSpan.spanContext().traceId).toBe(clientSpan.spanContext().traceId);
    expect(parentOf(serverSpan)).toBe(clientSpan.spanContext().spanId);
    expect(seenByHandler).toEqual([serverSpan.spanContext().spanId]);
    // The names otelconnect writes in the Go service; only the client names the server.
    expect(serverSpan.attributes).toEqual({
      "rpc.system.name": "connectrpc",
      "rpc.method": "gavel.bidding.v1.BiddingService/GetLotState",
      "rpc.response.status_code": "OK",
    });
    expect(clientSpan.attributes).toEqual({
      "rpc.system.name": "connectrpc",
      "rpc.method": "gavel.bidding.v1.BiddingService/GetLotState",
      "server.address": "127.0.0.1",
      "server.port": expect.any(Number),
      "rpc.response.status_code": "OK",
    });
  });

  it("marks a client's failed call an error, and the server's only for its own faults", async () => {
    await expect(client.getLotState({ lotId: "missing" })).rejects.toThrow(/no such lot/);
    const byKind = (kind: SpanKind) => spans().find((s) => s.kind === kind)!;
    expect(byKind(SpanKind.CLIENT).status.code).toBe(SpanStatusCode.ERROR);
    expect(byKind(SpanKind.SERVER).status.code).toBe(SpanStatusCode.UNSET);
    expect(byKind(SpanKind.SERVER).attributes).toMatchObject({
      "rpc.response.status_code": "NOT_FOUND",
      "error.type": "NOT_FOUND",
    });

    exporter.reset();
    await expect(client.getLotState({ lotId: "broken" })).rejects.toThrow(/it broke/);
    expect(byKind(SpanKind.SERVER).status.code).toBe(SpanStatusCode.ERROR);
  });

  it("keeps a streaming call's span open until the stream ends, its messages inside it", async () => {
    let received = 0;
    for await (const _ of client.watchLot({ lotId: "lot-1" })) received++;
    expect(received).toBe(3);
    const serverSpan = spans().find((s) => s.kind === SpanKind.SERVER)!;
    const clientSpan = spans().find((s) => s.kind === SpanKind.CLIENT)!;
    expect(parentOf(serverSpan)).toBe(clientSpan.spanContext().spanId);
    expect(seenByHandler).toEqual(Array(3).fill(serverSpan.spanContext().spanId));
  });
});

describe("NATS tracing", () => {
  it("carries the producer's context in the message headers to the consumer", async () => {
    const destination = { subject: "gavel.lot.l1", template: "gavel.lot.{lot_id}" };
    const sent = await tracePublish(destination, async (headers) => headers);
    expect(sent.get("traceparent")).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    await traceProcess(destination, sent, async () => undefined, { sequence: 7 });

    const producer = spans().find((s) => s.kind === SpanKind.PRODUCER)!;
    const consumer = spans().find((s) => s.kind === SpanKind.CONSUMER)!;
    expect(producer.name).toBe("send gavel.lot.{lot_id}");
    expect(consumer.name).toBe("process gavel.lot.{lot_id}");
    expect(parentOf(consumer)).toBe(producer.spanContext().spanId);
    expect(consumer.attributes).toMatchObject({
      "messaging.system": "nats",
      "messaging.destination.name": "gavel.lot.l1",
      "messaging.message.id": "7",
    });
  });

  it("starts a new trace for a message without context", async () => {
    const destination = { subject: "gavel.lot.l2", template: "gavel.lot.{lot_id}" };
    await traceProcess(destination, natsHeaders(), async () => undefined);
    expect(parentOf(spans()[0]!)).toBeUndefined();
  });

  it("keeps a delivery's span open, and active in the hand-off, until it calls done", async () => {
    const destination = { subject: "gavel.lot.l3", template: "gavel.lot.{lot_id}" };
    const sent = await tracePublish(destination, async (headers) => headers);
    let finish = () => undefined as void;
    let active: string | undefined;
    traceDeliver(destination, sent, 3, (done) => {
      active = trace.getActiveSpan()?.spanContext().spanId;
      finish = done;
    });
    expect(spans().filter((s) => s.kind === SpanKind.CONSUMER)).toEqual([]);
    finish();
    const delivered = spans().find((s) => s.kind === SpanKind.CONSUMER)!;
    expect(delivered.name).toBe("deliver gavel.lot.{lot_id}");
    expect(delivered.spanContext().spanId).toBe(active);
    expect(parentOf(delivered)).toBe(
      spans()
        .find((s) => s.kind === SpanKind.PRODUCER)!
        .spanContext().spanId,
    );
    expect(delivered.attributes).toMatchObject({ "gavel.push.receivers": 3 });
  });

  it("ends a delivery's span as an error when the hand-off throws", () => {
    const destination = { subject: "gavel.lot.l4", template: "gavel.lot.{lot_id}" };
    expect(() =>
      traceDeliver(destination, natsHeaders(), 1, () => {
        throw new Error("undecodable");
      }),
    ).toThrow("undecodable");
    expect(spans()[0]!.status.code).toBe(SpanStatusCode.ERROR);
  });
});
