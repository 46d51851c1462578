import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, expect, inject } from "vitest";
import { mintToken, startOtlpReceiver, type ReceivedSpan } from "@gavel/testing";
import { BOTH_FEED_MODES, startPushStack, type PushStack } from "./push-stack.ts";
import { TestSocket } from "./ws-client.ts";

export const PLACE_BID = "gavel.bidding.v1.BiddingService/PlaceBid";

export interface WsTraceStack {
  receiver: Awaited<ReturnType<typeof startOtlpReceiver>>;
  stack: PushStack;
}

/**
 * catalog, bidding and a push replica of each feed mode (push-a per channel, push-b
 * shared), exporting to a real OTLP receiver; shared by one test file, started before its
 * tests and stopped after them. Read the fields inside tests.
 */
export function useWsTraceStack(): WsTraceStack {
  const traced = {} as WsTraceStack;
  beforeAll(async () => {
    traced.receiver = await startOtlpReceiver();
    traced.stack = await startPushStack(inject("natsUrl"), {}, BOTH_FEED_MODES, {
      env: traced.receiver.env,
    });
  });
  afterAll(async () => {
    await traced.stack?.stop();
    await traced.receiver?.stop();
  });
  return traced;
}

/** Waits until exactly `count` received spans match; answers them. */
export async function spansWhere(
  { receiver }: WsTraceStack,
  match: (s: ReceivedSpan) => boolean,
  count: number,
) {
  await expect.poll(() => receiver.spans.filter(match).length, { timeout: 10_000 }).toBe(count);
  return receiver.spans.filter(match);
}

/** A W3C trace context of the client's, in a trace of its own unless given one. */
export function clientContext(traceId = randomBytes(16).toString("hex")) {
  const spanId = randomBytes(8).toString("hex");
  return { traceId, spanId, traceparent: `00-${traceId}-${spanId}-01` };
}

/** A socket signed in as a new user. */
export async function bidder(baseUrl: string): Promise<TestSocket> {
  return TestSocket.open(baseUrl, { token: await mintToken(randomUUID()) });
}

export function bid(socket: TestSocket, lotId: string, amountMinor: number, traceparent?: unknown) {
  return socket.request({
    type: "bid",
    lotId,
    bidId: randomUUID(),
    amount: { currency: "EUR", amountMinor: String(amountMinor) },
    ...(traceparent === undefined ? {} : { traceparent }),
  });
}

export const traceIdOf = (event: unknown) => (event as { traceId: string }).traceId;
