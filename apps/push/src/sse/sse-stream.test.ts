import {
  createServer,
  get,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import { connect, type AddressInfo } from "node:net";
import { createLogger } from "@gavel/logging";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { bidEvent, lotChannel, MemoryHub } from "../../test/fixtures/memory-hub.ts";
import { ExpiryWheel } from "../expiry-wheel.ts";
import { SseStream, type SseStreams, type StreamHolder } from "./sse-stream.ts";
import { connectionTurn } from "./stream-socket.ts";

const logger = createLogger({ service: "test", level: "silent" });
let server: Server;
let memory: MemoryHub;
let expiries: ExpiryWheel;
let closed: SseStream[];
let serve: (req: IncomingMessage, res: ServerResponse) => void = () => undefined;
const responses: IncomingMessage[] = [];

beforeAll(async () => {
  server = createServer((req, res) => serve(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  memory = new MemoryHub();
  memory.storeUpTo(3);
  expiries = new ExpiryWheel(10);
  closed = [];
});
afterEach(() => {
  expiries.stop();
  responses.splice(0).forEach((response) => response.destroy());
});

/** What the streams of one test share, as the replica's streams do. */
function streams(sendBufferBytes = 1 << 20): SseStreams {
  return { hub: memory.hub, logger, sendBufferBytes, expiries, onClosed: (s) => closed.push(s) };
}

/** Serves the next request as a stream; resolves with it once it is live. */
function nextStream(after: number, resume: boolean, holder: StreamHolder, shared: SseStreams) {
  return new Promise<SseStream>((resolve) => {
    serve = (req, res) => {
      const stream = new SseStream(req, res, lotChannel, after, holder, shared);
      void stream.start(resume).then(() => resolve(stream));
    };
  });
}

/** A stream served by a real HTTP server to a real client, and what the client read. */
async function open(
  after: number,
  resume: boolean,
  holder: StreamHolder = {},
  shared: SseStreams = streams(),
) {
  const started = nextStream(after, resume, holder, shared);
  const { port } = server.address() as AddressInfo;
  // A connection of its own: a kept-alive one of an earlier test may be closing.
  const response = await new Promise<IncomingMessage>((resolve) =>
    get(`http://127.0.0.1:${port}/`, { agent: false }, resolve),
  );
  responses.push(response);
  const client = { response, stream: await started, body: "", ended: false };
  response.setEncoding("utf8");
  response.on("data", (chunk: string) => (client.body += chunk));
  response.on("end", () => (client.ended = true));
  return client;
}

/** A client that sends `request` as it is over TCP, and everything it read so far. */
function rawClient(request: string) {
  const { port } = server.address() as AddressInfo;
  const socket = connect(port, "127.0.0.1");
  let read = "";
  socket.setEncoding("utf8").on("data", (text: string) => (read += text));
  socket.write(request);
  return { socket, read: () => read };
}

/** The records of a body (each ends with a blank line), as their lines. */
const records = (body: string) =>
  body
    .split("\n\n")
    .slice(0, -1)
    .map((record) => record.split("\n"));

describe("an SSE stream", () => {
  it("opens with the headers that keep proxies from buffering it, then a retry", async () => {
    const client = await open(0, false);
    expect(client.response.headers["content-type"]).toBe("text/event-stream; charset=utf-8");
    expect(client.response.headers["cache-control"]).toBe("no-store, no-transform");
    expect(client.response.headers["x-accel-buffering"]).toBe("no");
    await vi.waitFor(() => expect(records(client.body)[0]).toEqual(["retry: 2000"]));
  });

  it("frames each event as its sequence's id, its type and one data line: replay, then live", async () => {
    const client = await open(1, true);
    memory.publish(bidEvent(4));
    await vi.waitFor(() => expect(records(client.body)).toHaveLength(5));
    const [retry, second, third, live, fourth] = records(client.body);
    expect(retry).toEqual(["retry: 2000"]);
    expect(live).toEqual([": live after 1"]);
    for (const [record, seq] of [
      [second, 2],
      [third, 3],
      [fourth, 4],
    ] as const) {
      const [id, event, data, ...more] = record!;
      expect([id, event, more]).toEqual([`id: ${seq}`, "event: bid_accepted", []]);
      expect(JSON.parse(data!.replace(/^data: /, ""))).toMatchObject({ lotId: "lot-1" });
    }
  });

  it("sends a comment, which EventSource ignores, on each heartbeat", async () => {
    const client = await open(0, false);
    client.stream.tick();
    client.stream.tick();
    await vi.waitFor(() =>
      expect(records(client.body).slice(-2)).toEqual([[": ping"], [": ping"]]),
    );
  });

  it("ends with an expired event when its credential expires, and leaves the feed", async () => {
    const client = await open(0, false, { expiresAtMs: Date.now() + 100 });
    expect(client.ended).toBe(false);
    await vi.waitFor(() => expect(client.ended).toBe(true));
    const [event, data] = records(client.body).at(-1)!;
    expect(event).toBe("event: expired");
    expect(JSON.parse(data!.replace(/^data: /, ""))).toEqual({
      reason: expect.stringContaining("?after="),
    });
    expect(memory.listeners.size).toBe(0);
  });

  it("leaves the feed when its client goes away, and says so once", async () => {
    const client = await open(0, false);
    expect(memory.listeners.size).toBe(1);
    client.response.destroy();
    await vi.waitFor(() => expect(memory.listeners.size).toBe(0));
    expect(closed).toEqual([client.stream]);
    expect(() => client.stream.sendEvent(bidEvent(4))).not.toThrow();
  });

  it("closes its connection once it has ended, so nothing else is asked on it", async () => {
    const client = await open(0, false);
    const socket = client.response.socket;
    client.stream.end();
    await vi.waitFor(() => expect(closed).toEqual([client.stream]));
    expect(client.ended).toBe(true);
    expect(socket.destroyed || socket.readableEnded).toBe(true);
  });

  it("owns its connection: what the client sends after the request is not a request", async () => {
    let requests = 0;
    const started = nextStream(0, false, {}, streams());
    const counted = serve;
    serve = (req, res) => {
      requests++;
      counted(req, res);
    };
    const client = rawClient("GET / HTTP/1.1\r\nhost: push\r\n\r\n");
    const stream = await started;
    client.socket.write("GET /again HTTP/1.1\r\nhost: push\r\n\r\n");
    memory.publish(bidEvent(4));
    await vi.waitFor(() => expect(client.read()).toContain("id: 4\n"));
    expect(requests).toBe(1);
    expect(client.read()).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(client.read()).toContain("Transfer-Encoding: chunked\r\n");
    stream.end();
    await vi.waitFor(() => expect(client.socket.closed).toBe(true));
    expect(client.read().endsWith("\r\n0\r\n\r\n")).toBe(true);
  });

  it("answers a request pipelined behind another once that one is answered", async () => {
    const shared = streams();
    const started = new Promise<SseStream>((resolve) => {
      serve = (req, res) => {
        if (req.url === "/first") {
          setTimeout(() => res.end("first"), 50);
          return;
        }
        void connectionTurn(req, res).then((turn) => {
          expect(turn).toBe(true);
          const stream = new SseStream(req, res, lotChannel, 0, {}, shared);
          void stream.start(false).then(() => resolve(stream));
        });
      };
    });
    const client = rawClient(
      "GET /first HTTP/1.1\r\nhost: push\r\n\r\nGET /stream HTTP/1.1\r\nhost: push\r\n\r\n",
    );
    const stream = await started;
    await vi.waitFor(() => expect(client.read()).toContain("retry: 2000\n"));
    const [first, second] = client.read().split(/(?=HTTP\/1\.1 )/);
    expect(first).toMatch(/^HTTP\/1\.1 200 OK\r\n[^]*\r\n\r\nfirst$/);
    expect(second).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(second).toContain("text/event-stream");
    stream.end();
  });

  it("gives up a pipelined request whose connection closes before its turn", async () => {
    const turns: boolean[] = [];
    serve = (req, res) => {
      if (req.url === "/first") return; // never answered
      void connectionTurn(req, res).then((turn) => turns.push(turn));
    };
    const client = rawClient(
      "GET /first HTTP/1.1\r\nhost: push\r\n\r\nGET /stream HTTP/1.1\r\nhost: push\r\n\r\n",
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(turns).toEqual([]);
    client.socket.destroy();
    await vi.waitFor(() => expect(turns).toEqual([false]));
  });

  it("sends an HTTP/1.0 client its records unframed, and ends them with the connection", async () => {
    const started = nextStream(0, false, {}, streams());
    const client = rawClient("GET / HTTP/1.0\r\n\r\n");
    const stream = await started;
    stream.tick();
    stream.end();
    await vi.waitFor(() => expect(client.socket.closed).toBe(true));
    const body = client.read().split("\r\n\r\n")[1];
    expect(body).toBe("retry: 2000\n\n: live after 3\n\n: ping\n\n");
  });

  it("is closed, once, when its client went away before its head was sent", async () => {
    const shared = streams();
    const gone = new Promise<SseStream>((resolve) => {
      serve = (req, res) => {
        req.socket.destroy();
        const stream = new SseStream(req, res, lotChannel, 0, {}, shared);
        void stream.start(false).then(() => resolve(stream));
      };
    });
    const { port } = server.address() as AddressInfo;
    get(`http://127.0.0.1:${port}/`).on("error", () => undefined);
    const stream = await gone;
    await vi.waitFor(() => expect(closed).toEqual([stream]));
    expect(memory.listeners.size).toBe(0);
  });

  it("ends when it cannot follow the channel", async () => {
    memory.joinError = new Error("no feed");
    const client = await open(0, false);
    await vi.waitFor(() => expect(client.ended).toBe(true));
    expect(records(client.body)).toEqual([["retry: 2000"]]);
  });

  it("ends a stream whose client stops reading once its unsent bytes pass the buffer", async () => {
    const client = await open(0, false, {}, streams(1 << 20));
    client.response.pause();
    const big = { ...bidEvent(4), sse: Buffer.alloc(64 << 10, "a") };
    let sent = 0;
    // 64 MiB in all: far more than the loopback socket's buffers hold.
    while (memory.listeners.size > 0 && sent < 1024) memory.publish({ ...big, seq: 4 + sent++ });
    expect(memory.listeners.size).toBe(0);
    expect(sent).toBeLessThan(1024);
    client.response.resume();
    await vi.waitFor(() => expect(client.ended).toBe(true));
  });
});
