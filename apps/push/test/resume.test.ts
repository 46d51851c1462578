import { randomUUID } from "node:crypto";
import { EventSource } from "eventsource";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { WsFollower, mintToken, startTcpBalancer } from "@gavel/testing";
import { BOTH_FEED_MODES, startPushStack, type PushStack } from "./push-stack.ts";

let stack: PushStack;
beforeAll(async () => {
  stack = await startPushStack(inject("natsUrl"), {}, BOTH_FEED_MODES);
});
afterAll(() => stack?.stop());

const portOf = (url: string) => Number(new URL(url).port);

async function until(condition: () => boolean, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("a replica dies while bids flow", () => {
  it("every client resumes on the other replica and sees every event once, in order", async () => {
    const [a, b] = stack.replicas as [
      NonNullable<(typeof stack.replicas)[0]>,
      NonNullable<(typeof stack.replicas)[1]>,
    ];
    // Clients reach replica a first while it lives, then b: like a Service in front.
    const proxy = await startTcpBalancer([portOf(a.rpcUrl), portOf(b.rpcUrl)], "first");
    const lotId = await stack.newLot();
    const channel = `lot:${lotId}`;
    // Clients as an app writes them: on any close, reconnect (through the balancer) and
    // resubscribe after the last sequence seen.
    const clients = [
      ...Array.from({ length: 3 }, () => new WsFollower(proxy.url, channel)),
      new WsFollower(b.rpcUrl, channel),
    ];
    await Promise.all(clients.map((c) => c.start()));

    const placed: number[] = [];
    let amount = 1000n;
    const bidder = () => `bidder-${placed.length % 2}`;
    for (let i = 0; i < 10; i++) placed.push(await stack.bid(lotId, bidder(), (amount += 100n)));
    expect(await a.stop("SIGKILL")).not.toBe(0);
    for (let i = 0; i < 10; i++) placed.push(await stack.bid(lotId, bidder(), (amount += 100n)));

    await until(
      () => clients.every((c) => c.seqs.length > placed.length),
      15_000,
      "every client to see every bid",
    );
    // From the channel's start: the lot's opened event, then every bid.
    for (const client of clients) expect(client.seqs).toEqual([client.seqs[0], ...placed]);
    expect(clients[0]!.seqs[0]).toBeLessThan(placed[0]!);
    // The three through the balancer lost their socket once (1006: the replica died).
    for (const client of clients.slice(0, 3)) expect(String(client.drops)).toBe("close 1006 ×1");
    expect(clients[3]!.drops.total).toBe(0);
    clients.forEach((c) => c.stop());
    await proxy.stop();
    stack.replicas[0] = await stack.startReplica("push-a2");
  }, 30_000);
});

describe("Server-Sent Events with a standard EventSource client", () => {
  it("reconnects by itself with Last-Event-ID to another replica, missing nothing", async () => {
    const [a, b] = stack.replicas as [
      NonNullable<(typeof stack.replicas)[0]>,
      NonNullable<(typeof stack.replicas)[1]>,
    ];
    const proxy = await startTcpBalancer([portOf(a.rpcUrl), portOf(b.rpcUrl)], "first");
    const lotId = await stack.newLot();
    const received: Array<{ id: string; type: string }> = [];
    const opened: number[] = [];
    const source = new EventSource(`${proxy.url}/sse/lots/${lotId}?after=0`);
    source.addEventListener("open", () => opened.push(Date.now()));
    for (const type of ["opened", "bid_accepted"]) {
      source.addEventListener(type, (e) => received.push({ id: e.lastEventId, type }));
    }
    await until(() => received.length === 1, 10_000, "the opened event");

    const placed = [await stack.bid(lotId, "ann", 1000n), await stack.bid(lotId, "bob", 1100n)];
    await until(() => received.length === 3, 10_000, "two bids");
    // Graceful: a SIGTERM ends the stream; EventSource reconnects after `retry` (2 s).
    expect(await a.stop("SIGTERM")).toBe(0);
    placed.push(await stack.bid(lotId, "ann", 1200n), await stack.bid(lotId, "bob", 1300n));
    await until(() => received.length === 5, 15_000, "the bids placed while it reconnected");

    expect(received.slice(1).map((e) => Number(e.id))).toEqual(placed);
    expect(new Set(received.map((e) => e.id)).size).toBe(received.length);
    expect(opened.length).toBe(2);
    source.close();
    await proxy.stop();
    stack.replicas[0] = await stack.startReplica("push-a3");
  }, 30_000);

  it("answers a bad Last-Event-ID with 400 and the stream headers otherwise", async () => {
    const base = stack.replicas[1]!.rpcUrl;
    const lotId = await stack.newLot();
    const bad = await fetch(`${base}/sse/lots/${lotId}`, { headers: { "last-event-id": "-1" } });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ detail: expect.stringMatching(/Last-Event-ID/) });

    const controller = new AbortController();
    const ok = await fetch(`${base}/sse/lots/${lotId}`, { signal: controller.signal });
    expect(ok.status).toBe(200);
    expect(ok.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    expect(ok.headers.get("cache-control")).toBe("no-store, no-transform");
    expect(ok.headers.get("x-accel-buffering")).toBe("no");
    const reader = ok.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toContain("retry: 2000");
    controller.abort();
  });

  it("streams a user's own notifications with a ticket, and refuses anyone else", async () => {
    const base = stack.replicas[1]!.rpcUrl;
    const userId = randomUUID();
    const token = await mintToken(userId);
    const issued = await fetch(`${base}/tickets`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}` },
    });
    expect(issued.status).toBe(201);
    const { ticket } = (await issued.json()) as { ticket: string };

    const controller = new AbortController();
    const stream = await fetch(`${base}/sse/notifications?ticket=${ticket}`, {
      signal: controller.signal,
    });
    expect(stream.status).toBe(200);
    controller.abort();

    const forged = await fetch(`${base}/sse/notifications?ticket=${ticket.slice(0, -2)}xx`);
    expect(forged.status).toBe(401);
    const anonymous = await fetch(`${base}/sse/notifications`);
    expect(anonymous.status).toBe(401);
    const noToken = await fetch(`${base}/tickets`, { method: "POST" });
    expect(noToken.status).toBe(401);
  });
});
