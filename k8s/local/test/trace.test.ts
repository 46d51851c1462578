import { randomBytes } from "node:crypto";
import { expect, test } from "vitest";
import type { JaegerSpan, JaegerTrace } from "@gavel/testing";
import { ingressUrl, serviceUrl, signUp } from "./cluster.ts";

/** Jaeger's query API (v1 JSON), as a person's script reads it. */
async function traces(jaeger: string, path: string): Promise<JaegerTrace[]> {
  const res = await fetch(`${jaeger}${path}`);
  if (res.status === 404) return [];
  if (!res.ok) throw new Error(`jaeger ${path}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { data: JaegerTrace[] | null }).data ?? [];
}

test("a bid's trace, edge to bidding to NATS to the push gateway, read back from the in-cluster Jaeger", async () => {
  const [edge, push, jaeger] = await Promise.all([
    serviceUrl("edge"),
    serviceUrl("push"),
    serviceUrl("jaeger", "ui"),
  ]);
  const [seller, bidder] = await Promise.all([signUp("seller"), signUp("bidder")]);
  const post = async (path: string, token: string, body: unknown) => {
    const res = await fetch(`${edge}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    expect(res.status, text).toBe(201);
    return JSON.parse(text) as { id: string };
  };
  const lot = await post("/v1/lots", seller.token, {
    title: "A lot traced in the cluster",
    starting_price: { currency: "EUR", amount_minor: 10_00 },
    ends_at: new Date(Date.now() + 10 * 60_000).toISOString(),
  });
  // A viewer on the lot's SSE stream, so the push gateway delivers the bid in the trace.
  const abort = new AbortController();
  const sse = await fetch(`${push}/sse/lots/${lot.id}`, { signal: abort.signal });
  expect(sse.status).toBe(200);
  await post(`/v1/lots/${lot.id}/bids`, bidder.token, {
    amount: { currency: "EUR", amount_minor: 12_00 },
  });

  // Found the way a person would: Jaeger's search by service and operation, then the
  // trace that is about this lot.
  const operation = "POST /v1/lots/:id/bids";
  const search = `/api/traces?${new URLSearchParams({ service: "edge", operation, limit: "50" })}`;
  const services = (t: JaegerTrace, s: JaegerSpan) => t.processes[s.processID]!.serviceName;
  const about = (t: JaegerTrace) =>
    t.spans.some((s) => s.tags.some((tag) => String(tag.value).includes(lot.id)));
  let trace: JaegerTrace | undefined;
  await expect
    .poll(
      async () => {
        trace = (await traces(jaeger, search)).find(about);
        if (!trace) return [];
        trace = (await traces(jaeger, `/api/traces/${trace.traceID}`))[0];
        return [...new Set(trace!.spans.map((s) => `${services(trace!, s)} ${s.operationName}`))];
      },
      { timeout: 30_000, interval: 500 },
    )
    .toEqual(
      expect.arrayContaining([
        `edge ${operation}`,
        "bidding gavel.bidding.v1.BiddingService/PlaceBid",
        "bidding send gavel.lot.{lot_id}",
        "push deliver gavel.lot.{lot_id}",
      ]),
    );
  abort.abort();

  // One tree: the edge's request is the root, the rest descend from it.
  const t = trace!;
  const roots = t.spans.filter((s) => !s.references.some((r) => r.refType === "CHILD_OF"));
  expect(roots.map((s) => `${services(t, s)} ${s.operationName}`)).toEqual([`edge ${operation}`]);

  // The page reads the same trace through the Ingress, from the edge, as the waterfall
  // draws it: the chart wires the edge to Jaeger's query port and lets it through.
  const viewed = await fetch(`${await ingressUrl()}/traces/${t.traceID}`);
  expect(viewed.status).toBe(200);
  const view = (await viewed.json()) as { spans: Array<{ service: string; protocol: string }> };
  // More of the trace may have arrived since (the catalog's projection, the notifier).
  expect(view.spans.map((s) => s.service)).toEqual(
    expect.arrayContaining(["edge", "bidding", "push"]),
  );
  expect(view.spans.map((s) => s.protocol)).toEqual(
    expect.arrayContaining(["HTTP", "Connect", "NATS", "SSE"]),
  );
}, 90_000);

test("the page's spans reach the in-cluster Jaeger through the edge's relay, behind the Ingress", async () => {
  const [ingress, jaeger] = await Promise.all([ingressUrl(), serviceUrl("jaeger", "ui")]);
  const traceId = randomBytes(16).toString("hex");
  const now = BigInt(Date.now()) * 1_000_000n;
  const relayed = await fetch(`${ingress}/otlp/v1/traces`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      resourceSpans: [
        {
          resource: { attributes: [{ key: "service.name", value: { stringValue: "web" } }] },
          scopeSpans: [
            {
              scope: { name: "gavel.web" },
              spans: [
                {
                  traceId,
                  spanId: randomBytes(8).toString("hex"),
                  name: "bid",
                  kind: 3,
                  startTimeUnixNano: String(now),
                  endTimeUnixNano: String(now + 5_000_000n),
                },
              ],
            },
          ],
        },
      ],
    }),
  });
  expect(relayed.status, await relayed.text()).toBe(200);
  await expect
    .poll(async () => (await traces(jaeger, `/api/traces/${traceId}`))[0]?.spans.length ?? 0, {
      timeout: 15_000,
      interval: 500,
    })
    .toBe(1);
}, 30_000);
