import { randomUUID } from "node:crypto";
import WebSocket from "ws";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { mintShortToken, mintToken, SseText } from "@gavel/testing";
import { appendSyntheticBids, startPushStack, type PushStack } from "./push-stack.ts";
import { TestSocket } from "./ws-client.ts";

let stack: PushStack;
beforeAll(async () => {
  // A small send buffer, so a stalled reader overflows it quickly.
  stack = await startPushStack(inject("natsUrl"), { GAVEL_PUSH_SEND_BUFFER_BYTES: "262144" });
});
afterAll(() => stack?.stop());

const url = (i = 0) => stack.replicas[i]!.rpcUrl;

/** The status of an upgrade the server refuses (ws reports it as an unexpected response). */
async function refusedUpgrade(headers: Record<string, string>, query = ""): Promise<number> {
  const ws = new WebSocket(`${url().replace(/^http/, "ws")}/ws${query}`, ["gavel.v1"], {
    headers,
  });
  return new Promise((resolve, reject) => {
    ws.once("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
    ws.once("open", () => reject(new Error("the upgrade was accepted")));
    ws.once("error", () => undefined);
  });
}

describe("who may connect", () => {
  it("refuses a bad token with 401 and a foreign origin with 403 at the upgrade", async () => {
    expect(await refusedUpgrade({ authorization: "Bearer not-a-token" })).toBe(401);
    expect(await refusedUpgrade({ origin: "https://evil.example" })).toBe(403);
    expect(await refusedUpgrade({}, "?ticket=forged.ticket.value")).toBe(401);
  });

  it("accepts a token in the bearer subprotocol, as a browser sends it", async () => {
    const userId = randomUUID();
    const token = await mintToken(userId);
    const socket = await TestSocket.open(url(), {
      protocols: ["gavel.v1", `bearer.${token}`],
      origin: "http://localhost:8080",
    });
    expect(socket.ws.protocol).toBe("gavel.v1");
    expect(socket.messages[0]).toMatchObject({ type: "welcome", userId });
    socket.close();
  });

  it("lets a user follow only their own notifications", async () => {
    const userId = randomUUID();
    const socket = await TestSocket.open(url(), { token: await mintToken(userId) });
    expect(await socket.subscribe(`user:${userId}`)).toMatchObject({ type: "subscribed" });
    expect(await socket.subscribe(`user:${randomUUID()}`)).toMatchObject({
      type: "error",
      code: "permission_denied",
    });
    expect(await socket.subscribe("lot:bad.id")).toMatchObject({ code: "unknown_channel" });
    socket.close();
    const guest = await TestSocket.open(url());
    expect(await guest.subscribe(`user:${userId}`)).toMatchObject({ code: "unauthenticated" });
    guest.close();
  });
});

describe("sessions end with their credential", () => {
  it("closes a socket with 4401 and ends a ticket's stream when the token expires, not before", async () => {
    const userId = randomUUID();
    // A token of one second; the verifiers accept it for five more (their clock tolerance).
    const short = await mintShortToken(userId, 1);
    const endsAt = short.expiresAt.getTime() + 5_000;

    const expiring = await TestSocket.open(url(), { token: short.token });
    expect(expiring.messages[0]).toMatchObject({ expiresAt: new Date(endsAt).toISOString() });
    expect(await expiring.subscribe(`user:${userId}`)).toMatchObject({ type: "subscribed" });

    const issued = await fetch(`${url()}/tickets`, {
      method: "POST",
      headers: { authorization: `Bearer ${short.token}` },
    });
    const ticket = (await issued.json()) as { ticket: string; sessionExpiresAt: string };
    expect(ticket.sessionExpiresAt).toBe(new Date(endsAt).toISOString());
    const stream = new SseText(await fetch(`${url(1)}/sse/notifications?ticket=${ticket.ticket}`));
    await stream.waitFor(": live after");

    // The same user renews in time with a fresh token: that socket stays.
    const renewed = await TestSocket.open(url(1), { token: short.token });
    const ack = await renewed.request({ type: "authenticate", token: await mintToken(userId) });
    expect(Date.parse((ack.result as { expiresAt: string }).expiresAt)).toBeGreaterThan(endsAt);
    const guest = await TestSocket.open(url());

    const closed = await expiring.closed;
    expect(closed.code).toBe(4401);
    expect(closed.reason).toMatch(/expired/);
    expect(Date.now()).toBeGreaterThanOrEqual(endsAt);
    expect(await stream.ended()).toMatch(/event: expired\ndata: \{"reason":"[^"]*expired/);

    expect(await renewed.request({ type: "ping" })).toMatchObject({ type: "pong" });
    expect(await guest.request({ type: "ping" })).toMatchObject({ type: "pong" });
    expect(await refusedUpgrade({ authorization: `Bearer ${short.token}` })).toBe(401);
    renewed.close();
    guest.close();
  }, 20_000);
});

describe("hostile and careless clients", () => {
  it("answers garbage with an error message and keeps the connection", async () => {
    const socket = await TestSocket.open(url());
    socket.ws.send("{ not json");
    await socket.waitFor((m) => m.type === "error" && m.code === "invalid_message");
    socket.ws.send(JSON.stringify({ v: 2, type: "subscribe", id: "x", channel: "lot:a" }));
    expect(await socket.waitFor((m) => m.id === "x")).toMatchObject({ code: "invalid_message" });
    expect(await socket.request({ type: "ping" })).toMatchObject({ type: "pong" });
    socket.close();
  });

  it("closes with 1008 on a binary frame and on a flood, 1009 on an oversize message", async () => {
    const binary = await TestSocket.open(url());
    binary.ws.send(Buffer.from([1, 2, 3]));
    expect((await binary.closed).code).toBe(1008);

    const big = await TestSocket.open(url());
    big.ws.send(JSON.stringify({ v: 1, type: "ping", id: "x".repeat(10_000) }));
    expect((await big.closed).code).toBe(1009);

    const flood = await TestSocket.open(url());
    for (let i = 0; i < 100; i++) flood.send({ type: "ping" });
    expect(await flood.closed).toMatchObject({
      code: 1008,
      reason: expect.stringMatching(/messages\/s/),
    });
  });

  it("drops a reader that stalls with 1013, without delaying the others", async () => {
    const lotId = `synthetic-${randomUUID()}`;
    const channel = `lot:${lotId}`;
    const stalled = await TestSocket.open(url());
    const healthy = await TestSocket.open(url());
    await stalled.subscribe(channel);
    await healthy.subscribe(channel);
    // The stalled client stops reading: the server's send buffer fills up.
    (stalled.ws as unknown as { _socket: { pause(): void } })._socket.pause();

    const count = 20_000;
    const started = Date.now();
    await appendSyntheticBids(stack.natsUrl, lotId, count);
    const events = await healthy.waitForEvents(channel, count, 30_000);
    const tookMs = Date.now() - started;
    expect(events.map((e) => e.seq)).toEqual([...events.map((e) => e.seq)].sort((a, b) => a - b));
    expect(new Set(events.map((e) => e.seq)).size).toBe(count);

    (stalled.ws as unknown as { _socket: { resume(): void } })._socket.resume();
    expect(await stalled.closed).toMatchObject({
      code: 1013,
      reason: expect.stringMatching(/slow consumer/),
    });
    expect(stalled.events(channel).length).toBeLessThan(count);
    // The healthy client was not held back by the stalled one's buffer.
    expect(tookMs).toBeLessThan(20_000);
    healthy.close();
  }, 60_000);
});

describe("heartbeats", () => {
  it("drops a peer that stops answering pings", async () => {
    const replica = await stack.startReplica("push-ping", { GAVEL_PUSH_PING_MS: "1000" });
    const socket = await TestSocket.open(replica.rpcUrl);
    const raw = (socket.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    raw.pause(); // it reads nothing, so it never answers a ping
    await new Promise((r) => setTimeout(r, 3_500));
    raw.resume();
    expect((await socket.closed).code).toBe(1006); // cut off, no close frame
    await replica.stop();
  });
});

describe("presence", () => {
  it("counts a lot's viewers over replicas, and forgets a replica that died", async () => {
    const lotId = await stack.newLot();
    const viewers = async (i: number) => {
      const res = await fetch(`${url(i)}/presence/lots/${lotId}`);
      return ((await res.json()) as { viewers: number }).viewers;
    };
    const onA = await TestSocket.open(url(0));
    const onB = await TestSocket.open(url(1));
    await onA.subscribe(`lot:${lotId}`);
    await onB.subscribe(`lot:${lotId}`);
    await expect.poll(() => viewers(1), { timeout: 5_000 }).toBe(2);
    onB.close();
    await expect.poll(() => viewers(0), { timeout: 5_000 }).toBe(1);

    // Killed without a goodbye: its entry lives until the TTL (3 x 500 ms) runs out.
    await stack.replicas[0]!.stop("SIGKILL");
    await expect.poll(() => viewers(1), { timeout: 5_000 }).toBe(0);
    stack.replicas[0] = await stack.startReplica("push-a4");
  }, 30_000);
});

describe("graceful drain", () => {
  it("closes sockets with 1012 and ends streams on SIGTERM, and exits 0", async () => {
    const replica = await stack.startReplica("push-drain");
    const lotId = await stack.newLot();
    const socket = await TestSocket.open(replica.rpcUrl);
    await socket.subscribe(`lot:${lotId}`);
    const stream = new SseText(await fetch(`${replica.rpcUrl}/sse/lots/${lotId}`));
    await stream.waitFor(": live after");
    const [exitCode, closed, body] = await Promise.all([
      replica.stop("SIGTERM"),
      socket.closed,
      stream.ended(), // a clean end of the body, not a reset (which would throw)
    ]);
    expect(closed).toMatchObject({ code: 1012, reason: expect.stringMatching(/reconnect/) });
    expect(body).toMatch(/^retry: 2000\n\n: live after \d+\n\n$/);
    expect(exitCode).toBe(0);
  });
});
