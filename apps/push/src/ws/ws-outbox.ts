import type { WebSocket } from "ws";
import { serverMessage } from "./protocol.ts";

/**
 * A socket's bounded send queue. While nothing is in flight a message is written at once;
 * while a write is in flight (the socket lags) messages queue and then leave together as
 * one `batch` frame, so a lagging socket costs one write per burst instead of one per
 * event. When the queue and the socket's own buffer pass the limit, the client is a slow
 * consumer: `onOverflow` ends the connection (it resumes later from its last sequence)
 * before it can slow anyone else or hold unbounded memory.
 */
export class WsOutbox {
  readonly #ws: WebSocket;
  readonly #limitBytes: number;
  readonly #onOverflow: () => void;
  #inFlight = 0;
  #queue: Buffer[] = [];
  #queuedBytes = 0;
  #overflowed = false;

  constructor(ws: WebSocket, limitBytes: number, onOverflow: () => void) {
    this.#ws = ws;
    this.#limitBytes = limitBytes;
    this.#onOverflow = onOverflow;
  }

  /** A message: a string (a reply, made for this socket) or bytes shared by a fan-out. */
  send(message: string | Buffer): void {
    if (this.#overflowed || this.#ws.readyState !== this.#ws.OPEN) return;
    if (this.#inFlight === 0) {
      this.#write(message);
      return;
    }
    this.#queue.push(typeof message === "string" ? Buffer.from(message) : message);
    this.#queuedBytes += message.length;
    if (this.#queuedBytes + this.#ws.bufferedAmount > this.#limitBytes) {
      this.#overflowed = true;
      this.#queue = [];
      this.#queuedBytes = 0;
      this.#onOverflow();
    }
  }

  #write(data: string | Buffer): void {
    this.#inFlight++;
    // binary: false keeps bytes a text frame (they are UTF-8 JSON), sent without a copy.
    this.#ws.send(data, { binary: false }, (err) => {
      this.#inFlight--;
      if (err || this.#inFlight > 0 || this.#queue.length === 0) return;
      const queued = this.#queue;
      this.#queue = [];
      this.#queuedBytes = 0;
      this.#write(queued.length === 1 ? queued[0]! : serverMessage.batch(queued));
    });
  }
}
