import type { WebSocket } from "ws";
import { beforeEach, describe, expect, it, vi, type Mock } from "vitest";
import { WsOutbox } from "./ws-outbox.ts";

/** The outbox's sink: records frames and completes each write when the test says. */
class FakeSocket {
  readonly OPEN = 1;
  readyState = 1;
  bufferedAmount = 0;
  readonly frames: Array<{ text: string; binary: boolean }> = [];
  readonly #pending: Array<(err?: Error) => void> = [];

  send(data: string | Buffer, options: { binary: boolean }, done: (err?: Error) => void): void {
    this.frames.push({ text: data.toString(), binary: options.binary });
    this.#pending.push(done);
  }

  /** The oldest write in flight completes. */
  complete(): void {
    this.#pending.shift()?.();
  }

  messages(frame: number): unknown[] {
    const message = JSON.parse(this.frames[frame]!.text) as { type: string; messages?: unknown[] };
    return message.type === "batch" ? message.messages! : [message];
  }
}

/** Event `n` as a reply string, and as the bytes a fan-out shares. */
const text = (n: number) => JSON.stringify({ v: 1, type: "event", seq: n });
const bytes = (n: number) => Buffer.from(text(n));

let socket: FakeSocket;
let overflow: Mock<() => void>;
let outbox: WsOutbox;
beforeEach(() => {
  socket = new FakeSocket();
  overflow = vi.fn<() => void>();
  outbox = new WsOutbox(socket as unknown as WebSocket, 1000, overflow);
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
