import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, expect } from "vitest";
import {
  mintToken,
  serviceEnv,
  ServiceGroup,
  startNatsServer,
  startOtlpReceiver,
  type NatsServerHandle,
  type ReceivedSpan,
  type ServiceProcess,
} from "@gavel/testing";

export interface TracedStack {
  receiver: Awaited<ReturnType<typeof startOtlpReceiver>>;
  edge: ServiceProcess;
  bff: ServiceProcess;
  pushA: ServiceProcess;
  pushB: ServiceProcess;
}

/**
 * Every hop of a bid, each service exporting its spans to a real OTLP receiver. On a NATS
 * of its own: the projector's durable consumer is shared by every catalog on a server, and
 * another test file's catalog must not take the event whose span a test looks for.
 */
export function useTracedStack(): TracedStack {
  const traced = {} as TracedStack;
  let nats: NatsServerHandle | undefined;
  const group = new ServiceGroup();
  beforeAll(async () => {
    nats = await startNatsServer();
    traced.receiver = await startOtlpReceiver();
    const env = {
      ...serviceEnv(nats.url),
      ...traced.receiver.env,
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
    traced.edge = await group.start("edge", { ...env, ...upstream });
    traced.bff = await group.start("bff", { ...env, ...upstream });
    traced.pushA = await group.start("push", {
      ...env,
      ...upstream,
      GAVEL_REPLICA_ID: "trace-a",
    });
    // One replica per feed mode: each must give every event its delivery span.
    traced.pushB = await group.start("push", {
      ...env,
      ...upstream,
      GAVEL_PUSH_FEEDS: "shared",
      GAVEL_REPLICA_ID: "trace-b",
    });
  });
  afterAll(async () => {
    await group.stop();
    await traced.receiver?.stop();
    await nats?.stop();
  });
  return traced;
}

export async function postJson(url: string, body: unknown, token: string) {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  if (res.status >= 300) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  return res.json() as Promise<Record<string, unknown>>;
}

/** Lists an hour-long lot through the edge, as a new seller; answers its id. */
export async function createLot(edgeUrl: string, title: string): Promise<string> {
  const lot = await postJson(
    `${edgeUrl}/v1/lots`,
    {
      title,
      starting_price: { currency: "EUR", amount_minor: 1000 },
      ends_at: new Date(Date.now() + 3600_000).toISOString(),
    },
    await mintToken(randomUUID()),
  );
  return String(lot.id);
}

/** Bids on a lot through the edge, as a new user. */
export async function bidOverRest(edgeUrl: string, lotId: string, amountMinor: number) {
  return postJson(
    `${edgeUrl}/v1/lots/${lotId}/bids`,
    { amount: { currency: "EUR", amount_minor: amountMinor } },
    await mintToken(randomUUID()),
  );
}

/** One trace's spans as the receiver holds them at each call, by service, kind and name. */
export function spansOfTrace({ receiver }: TracedStack, traceId: string) {
  const all = () => receiver.spans.filter((s) => s.traceId === traceId);
  const find = (service: string, kind: number, name: string) =>
    all().filter((s) => s.service === service && s.kind === kind && s.name === name);
  /** The one span of that service, kind and name; fails the test unless there is one. */
  const one = (service: string, kind: number, name: string): ReceivedSpan => {
    const spans = find(service, kind, name);
    expect(spans, `${service} ${name}`).toHaveLength(1);
    return spans[0]!;
  };
  return { all, find, one };
}
