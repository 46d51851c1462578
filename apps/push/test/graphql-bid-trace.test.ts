import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { mintToken, OTLP_SPAN_KIND } from "@gavel/testing";
import { createLot, spansOfTrace, useTracedStack } from "./traced-stack.ts";
import { TestSocket } from "./ws-client.ts";

const traced = useTracedStack();

describe("one trace from a GraphQL bid, and each protocol's metrics", () => {
  it("links a GraphQL bid: the BFF's request, operation and root field, then the same path", async () => {
    const lotId = await createLot(traced.edge.rpcUrl, "A lot bid on over GraphQL");
    const socket = await TestSocket.open(traced.pushA.rpcUrl);
    await socket.subscribe(`lot:${lotId}`);
    const res = await fetch(`${traced.bff.rpcUrl}/graphql`, {
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
    const { all: trace, one } = spansOfTrace(traced, traceId);
    // Each process exports on its own schedule: wait for the last span of each.
    const names = ["deliver gavel.lot.{lot_id}", "POST /graphql", "mutation PlaceBid"];
    await expect
      .poll(() => names.every((n) => trace().some((s) => s.name === n)), { timeout: 10_000 })
      .toBe(true);
    const request = one("bff", OTLP_SPAN_KIND.server, "POST /graphql");
    const operation = one("bff", OTLP_SPAN_KIND.internal, "mutation PlaceBid");
    const field = one("bff", OTLP_SPAN_KIND.internal, "Mutation.placeBid");
    const call = one("bff", OTLP_SPAN_KIND.client, "gavel.bidding.v1.BiddingService/PlaceBid");
    const handled = one(
      "bidding",
      OTLP_SPAN_KIND.server,
      "gavel.bidding.v1.BiddingService/PlaceBid",
    );
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
      .poll(() => expected.filter(([service, name]) => !traced.receiver.hasMetric(service, name)), {
        timeout: 10_000,
      })
      .toEqual([]);
  });
});
