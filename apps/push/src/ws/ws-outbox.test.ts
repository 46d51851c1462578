import type { Duplex } from "node:stream";
import { setImmediate as nextTurn } from "node:timers/promises";
import type { WebSocket } from "ws";
import { afterEach, beforeEach, describe, expect, it, vi, type Mock } from "vitest";
import { openSocketPair, type SocketPair } from "../../test/fixtures/socket-pair.ts";
import { framePayload, textFrame } from "./ws-frame.ts";
import { WsOutbox } from "./ws-outbox.ts";

/**
 * The outbox's sink, both the WebSocket and the socket under it: records frames, sent
 * through `ws` or written whole, and completes each write when the test says. It never
 * corks, so a write is in flight from the moment it is made (the socket lags): the
 * corking of a real socket is tested in ws-outbox-socket.test.ts.
 */
class FakeSocket {
  readonly OPEN = 1;
  readyState = 1;
  bufferedAmount = 0;
  readonly writableCorked = 0;
  readonly frames: Array<{ text: string; binary: boolean }> = [];
  readonly #pending: Array<(err?: Error) => void> = [];

  send(data: string | Buffer, options: { binary: boolean }, done: (err?: Error) => void): void {
    this.frames.push({ text: data.toString(), binary: options.binary });
    this.#pending.push(done);
  }

  write(frame: Buffer, done: (err?: Error) => void): void {
    this.frames.push({ text: framePayload(frame).toString(), binary: (frame[0]! & 0x0f) === 2 });
    this.#pending.push(done);
  }

  cork(): void {}
  uncork(): void {}

  /** The oldest write in flight completes. */
  complete(): void {
    this.#pending.shift()?.();
  }

  messages(frame: number): unknown[] {
    const message = JSON.parse(this.frames[frame]!.text) as { type: string; messages?: unknown[] };
    return message.type === "batch" ? message.messages! : [message];
  }
}

/** Event `n` as a reply string, and as the frame a fan-out shares. */
const text = (n: number) => JSON.stringify({ v: 1, type: "event", seq: n });
const bytes = (n: number) => textFrame(text(n));

let socket: FakeSocket;
let overflow: Mock<() => void>;
let outbox: WsOutbox;
beforeEach(() => {
  socket = new FakeSocket();
  overflow = vi.fn<() => void>();
  outbox = new WsOutbox(
    socket as unknown as WebSocket,
    socket as unknown as Duplex,
    1000,
    overflow,
  );
});

describe("a socket's outbox", () => {
  it("writes at once while nothing is in flight, strings and bytes alike as text frames", () => {
    outbox.send(text(1));
    socket.complete();
    outbox.send(bytes(2));
    expect(socket.frames).toEqual([
      { text: text(1), binary: false },
      { text: text(2), binary: false },
    ]);
  });

  it("sends what queued behind a write in flight as one batch, in order", () => {
    outbox.send(bytes(1));
    outbox.send(bytes(2));
    outbox.send(text(3));
    outbox.send(bytes(4));
    expect(socket.frames).toHaveLength(1);
    socket.complete();
    expect(socket.frames).toHaveLength(2);
    expect(socket.frames[1]!.binary).toBe(false);
    expect(socket.messages(1)).toEqual([2, 3, 4].map((n) => JSON.parse(text(n))));
  });

  it("keeps what arrives while a batch is in flight for the next frame, order intact", () => {
    outbox.send(bytes(1));
    outbox.send(bytes(2));
    outbox.send(bytes(3));
    socket.complete();
    outbox.send(bytes(4));
    outbox.send(bytes(5));
    socket.complete();
    socket.complete();
    const seqs = socket.frames.flatMap((_, i) =>
      socket.messages(i).map((m) => (m as { seq: number }).seq),
    );
    expect(seqs).toEqual([1, 2, 3, 4, 5]);
    expect(socket.frames).toHaveLength(3);
    outbox.send(bytes(6));
    expect(socket.frames).toHaveLength(4);
  });

  it("sends a lone queued message as itself, not a batch of one", () => {
    outbox.send(bytes(1));
    outbox.send(bytes(2));
    socket.complete();
    expect(socket.frames[1]!.text).toBe(text(2));
  });

  it("drops a slow consumer once queued bytes and the socket's buffer pass the limit", () => {
    outbox.send(bytes(1));
    socket.bufferedAmount = 1000 - 2 * text(2).length;
    outbox.send(bytes(2));
    outbox.send(bytes(3));
    expect(overflow).not.toHaveBeenCalled(); // exactly at the limit
    outbox.send(bytes(4));
    expect(overflow).toHaveBeenCalledTimes(1);
    outbox.send(bytes(5));
    socket.complete();
    expect(overflow).toHaveBeenCalledTimes(1);
    expect(socket.frames).toHaveLength(1); // nothing queued is sent after the overflow
  });

  it("sends nothing on a socket that is no longer open", () => {
    socket.readyState = 3;
    outbox.send(bytes(1));
    expect(socket.frames).toEqual([]);
    expect(overflow).not.toHaveBeenCalled();
  });
});

describe("a socket's outbox on a real socket", () => {
  let pair: SocketPair;
  beforeEach(async () => {
    pair = await openSocketPair();
  });
  afterEach(() => pair.close());

  const outboxOn = (limitBytes: number, onOverflow: () => void = () => undefined) =>
    new WsOutbox(pair.server, pair.socket, limitBytes, onOverflow);

  it("sends what one turn gives it in one write, each message its own frame, in order", async () => {
    const outbox = outboxOn(1000);
    outbox.send(bytes(1));
    outbox.send(bytes(2));
    outbox.send(text(3));
    outbox.send(bytes(4));
    expect(pair.writes()).toBe(0);
    await nextTurn();
    expect(pair.writes()).toBe(1);
    expect(await pair.receivedCount(4)).toEqual([1, 2, 3, 4].map(text));
  });

  it("counts the turn's frames in the socket's buffered amount, against the limit", () => {
    const overflowed = vi.fn<() => void>();
    const big = (n: number) => textFrame(JSON.stringify({ v: 1, seq: n, pad: "x".repeat(400) }));
    const outbox = outboxOn(1000, overflowed);
    outbox.send(big(1));
    outbox.send(big(2));
    expect(pair.server.bufferedAmount).toBe(big(1).length + big(2).length);
    expect(overflowed).not.toHaveBeenCalled();
    outbox.send(big(3));
    expect(overflowed).toHaveBeenCalledTimes(1);
  });

  it("queues behind a write of an earlier turn still in flight, and sends the queue as a batch", async () => {
    const outbox = outboxOn(64 * 2 ** 20);
    pair.client.pause(); // the client stops reading: the kernel's buffers fill
    const huge = "x".repeat(32 * 2 ** 20);
    outbox.send(textFrame(huge));
    await nextTurn();
    expect(pair.socket.writableLength).toBeGreaterThan(0); // still in flight
    outbox.send(bytes(1));
    outbox.send(bytes(2));
    pair.client.resume();
    const [first, second] = await pair.receivedCount(2);
    expect(first).toBe(huge);
    expect(JSON.parse(second!)).toEqual({
      v: 1,
      type: "batch",
      messages: [1, 2].map((n) => JSON.parse(text(n))),
    });
    expect(pair.received).toHaveLength(2);
  });
});
