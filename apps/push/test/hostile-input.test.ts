import http from "node:http";
import { once } from "node:events";
import { connect } from "node:net";
import { readdirSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import fc from "fast-check";
import WebSocket from "ws";
import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest";
import {
  expectSurvived,
  hostileRuns,
  mintToken,
  memoryBaseline,
  rssBytes,
  type MemoryBaseline,
  type ServiceProcess,
} from "@gavel/testing";
import { startPushStack, type PushStack } from "./push-stack.ts";
import { TestSocket } from "./ws-client.ts";

/**
 * Generated hostile input to the push gateway: WebSocket frames that are malformed,
 * oversize, binary or come in floods; SSE streams with bad Last-Event-ID values, and
 * thousands of idle streams at once. The gateway answers with error messages and the close
 * codes of its protocol (never 1011, never a dropped connection), stays up, gives its
 * memory back and serves the next honest client.
 */
let stack: PushStack;
let push: ServiceProcess;
let lotId: string;
let baseline: MemoryBaseline;
beforeAll(async () => {
  stack = await startPushStack(inject("natsUrl"), {}, undefined, { inspectFirst: true });
  push = stack.replicas[0]!;
  lotId = await stack.newLot();
  await honestClient();
  baseline = await memoryBaseline(push);
}, 120_000);
afterAll(() => stack?.stop());

/** A guest subscribes to the lot and gets its ping answered. */
async function honestClient() {
  const socket = await TestSocket.open(push.rpcUrl);
  expect(await socket.subscribe(`lot:${lotId}`)).toMatchObject({ type: "subscribed" });
  expect(await socket.request({ type: "ping" })).toMatchObject({ type: "pong" });
  socket.close();
}

/** The close codes the protocol uses for a client's misbehaviour (docs/push-protocol.md). */
const PROPER_CLOSES = new Set([1000, 1005, 1008, 1009, 1013]);
/** Idle SSE streams held open at once: thousands, well inside the 20,000 open files here. */
const IDLE_STREAMS = 3000;

type Frame = { data: string | Buffer; label: string };
const frame: fc.Arbitrary<Frame> = fc.oneof(
  fc.string({ maxLength: 300 }).map((data) => ({ data, label: "text" })),
  fc.jsonValue().map((v) => ({ data: JSON.stringify(v), label: "any JSON" })),
  fc
    .record(
      {
        v: fc.oneof(fc.constant(1), fc.jsonValue()),
        type: fc.oneof(
          fc.constantFrom("subscribe", "unsubscribe", "ping", "pong", "auth", "batch"),
          fc.string(),
        ),
        id: fc.oneof(fc.string({ maxLength: 80 }), fc.jsonValue()),
        channel: fc.oneof(
          fc.constantFrom("lot:", "user:", "lot:../../x", "user:*", "lot:%00"),
          fc.string({ maxLength: 250 }).map((s) => `lot:${s}`),
          fc.jsonValue(),
        ),
        after: fc.oneof(
          fc.integer(),
          fc.double(),
          fc.jsonValue(),
          fc.constant(Number.MAX_SAFE_INTEGER),
        ),
      },
      { requiredKeys: [] },
    )
    .map((m) => ({ data: JSON.stringify(m), label: "protocol-shaped" })),
  fc
    .uint8Array({ minLength: 1, maxLength: 64 })
    .map((b) => ({ data: Buffer.from(b), label: "binary" })),
  fc
    .integer({ min: 4_097, max: 200_000 })
    .map((n) => ({ data: "x".repeat(n), label: `${n} bytes` })),
);

/** One client's session: its frames, maybe a flood, then an honest ping; how it ended. */
async function session(frames: Frame[], flood: number, withToken: boolean) {
  const token = withToken ? await mintToken("hostile-user") : undefined;
  const socket = await TestSocket.open(push.rpcUrl, token ? { token } : {});
  const errors: string[] = [];
  socket.ws.on("error", (err) => errors.push(String(err)));
  for (const { data } of frames) if (socket.ws.readyState === WebSocket.OPEN) socket.ws.send(data);
  for (let i = 0; i < flood && socket.ws.readyState === WebSocket.OPEN; i++)
    socket.send({ type: "ping" });
  const answered =
    socket.ws.readyState === WebSocket.OPEN
      ? socket.request({ type: "ping" }, 5_000).then(() => "pong" as const)
      : Promise.resolve("closed" as const);
  const outcome = await Promise.race([answered, socket.closed.then(() => "closed" as const)]).catch(
    () => "closed" as const,
  );
  if (outcome === "pong") socket.close();
  const { code } = await socket.closed;
  return { code, outcome, messages: socket.messages, errors };
}

describe("WebSocket hostile input", () => {
  it("answers malformed, oversize, binary frames and floods with errors and protocol close codes", async () => {
    const started = Date.now();
    const options = hostileRuns(100);
    const closes: Record<string, number> = {};
    await fc.assert(
      fc.asyncProperty(
        fc.array(frame, { minLength: 1, maxLength: 6 }),
        fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 150 })),
        fc.boolean(),
        async (frames, flood, withToken) => {
          const { code, messages } = await session(frames, flood, withToken);
          closes[code] = (closes[code] ?? 0) + 1;
          const labels = frames.map((f) => f.label).join(", ");
          if (!PROPER_CLOSES.has(code))
            throw new Error(`closed with ${code} after ${labels}, flood ${flood}`);
          const bad = messages.find((m) => m.type === "error" && typeof m.code !== "string");
          if (bad) throw new Error(`an error without a code: ${JSON.stringify(bad)}`);
        },
      ),
      options,
    );
    const survival = await expectSurvived(push, baseline, honestClient);
    console.info("hostile ws frames", {
      runs: options.numRuns,
      closes,
      ms: Date.now() - started,
      ...survival,
    });
  }, 180_000);
});

describe("SSE hostile input", () => {
  it("answers bad Last-Event-ID and ?after= values with a 400 problem, good ones with a stream", async () => {
    const started = Date.now();
    const options = hostileRuns(150);
    const statuses: Record<string, number> = {};
    const value = fc.oneof(
      fc.string({
        unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
        maxLength: 40,
      }),
      fc.integer().map(String),
      fc.bigInt().map(String),
      fc.double().map(String),
      fc.constantFrom("-1", "1e3", "0x10", " 1", "9".repeat(16), "9".repeat(400), "NaN", ""),
    );
    await fc.assert(
      fc.asyncProperty(value, fc.boolean(), async (id, asHeader) => {
        const path = asHeader
          ? `/sse/lots/${lotId}`
          : `/sse/lots/${lotId}?after=${encodeURIComponent(id)}`;
        const { status, contentType, body } = await openSse(
          path,
          asHeader ? { "last-event-id": id } : {},
        );
        statuses[status] = (statuses[status] ?? 0) + 1;
        if (status === 200 && contentType.startsWith("text/event-stream")) return;
        if (status !== 400 || !contentType.startsWith("application/problem+json"))
          throw new Error(
            `${asHeader ? "Last-Event-ID" : "after"}=${JSON.stringify(id)}: ${status} ${contentType} ${body}`,
          );
      }),
      options,
    );
    const survival = await expectSurvived(push, baseline, honestClient);
    console.info("hostile sse last-event-id", {
      runs: options.numRuns,
      statuses,
      ms: Date.now() - started,
      ...survival,
    });
  }, 180_000);

  it("serves a stream pipelined behind another request on one connection", async () => {
    const { hostname, port } = new URL(push.rpcUrl);
    const socket = connect(Number(port), hostname);
    let read = "";
    socket.setEncoding("utf8").on("data", (text: string) => (read += text));
    // Presence answers after a NATS round trip: the stream's request waits for its turn.
    socket.write(
      `GET /presence/lots/${lotId} HTTP/1.1\r\nhost: push\r\n\r\n` +
        `GET /sse/lots/${lotId} HTTP/1.1\r\nhost: push\r\n\r\n`,
    );
    await vi.waitFor(() => expect(read).toContain("retry: 2000\n"), { timeout: 10_000 });
    socket.destroy();
    const [presence, stream] = read.split(/(?=HTTP\/1\.1 )/);
    expect(presence).toMatch(/^HTTP\/1\.1 200 OK\r\n[^]*"viewers"/);
    expect(stream).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(stream).toContain("text/event-stream");
  });

  it("holds thousands of idle streams and gives their memory back when they go", async () => {
    const started = Date.now();
    const { peakMiB } = await idleWave();
    // RSS keeps the pages the streams grew the heap into, so its bound is loose here; the
    // live heap after a collection must come back within the usual few MiB.
    const survival = await expectSurvived(push, baseline, honestClient, { toleranceMiB: 160 });
    console.info("hostile sse idle streams", {
      streams: IDLE_STREAMS,
      withStreamsMiB: peakMiB,
      ms: Date.now() - started,
      ...survival,
    });
  }, 180_000);
});

/**
 * Opens IDLE_STREAMS SSE streams on one lot together, checks an honest client is served
 * while they are open, then drops them and waits until the gateway has closed its ends
 * (its open files back to what they were: no socket leaked); returns its RSS with them open.
 */
async function idleWave(): Promise<{ peakMiB: number }> {
  const filesBefore = openFiles(push.pid);
  const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
  const requests: http.ClientRequest[] = [];
  const opened = await Promise.all(
    Array.from(
      { length: IDLE_STREAMS },
      () =>
        new Promise<number>((resolve, reject) => {
          const req = http.get(`${push.rpcUrl}/sse/lots/${lotId}`, { agent }, (res) =>
            resolve(res.statusCode ?? 0),
          );
          req.on("error", reject);
          requests.push(req);
        }),
    ),
  );
  expect(opened.filter((s) => s === 200)).toHaveLength(IDLE_STREAMS);
  const peakMiB = Math.round(rssBytes(push.pid) / 1024 / 102.4) / 10;
  await honestClient(); // served while they are all open
  for (const req of requests) req.destroy();
  agent.destroy();
  const deadline = Date.now() + 10_000;
  while (openFiles(push.pid) > filesBefore + 16 && Date.now() < deadline) await sleep(100);
  expect(openFiles(push.pid)).toBeLessThanOrEqual(filesBefore + 16);
  return { peakMiB };
}

/** The process's open file descriptors, sockets included (Linux). */
function openFiles(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

/** Opens an SSE request, reads its head (and the body of a refusal), then lets it go. */
function openSse(path: string, headers: Record<string, string>) {
  return new Promise<{ status: number; contentType: string; body: string }>((resolve, reject) => {
    const req = http.get(`${push.rpcUrl}${path}`, { headers }, (res) => {
      const status = res.statusCode ?? 0;
      const contentType = String(res.headers["content-type"] ?? "");
      if (status === 200) {
        resolve({ status, contentType, body: "" });
        req.destroy();
        return;
      }
      let body = "";
      res.on("data", (c: Buffer) => (body += c.toString()));
      void once(res, "end").then(() => resolve({ status, contentType, body }));
    });
    req.on("error", (err) => (req.destroyed ? undefined : reject(err)));
  });
}
