import type { Duplex } from "node:stream";
import type { WebSocket } from "ws";
import { serverMessage, type ErrorCode } from "./protocol.ts";
import { corkedForTurn, corkForTurn } from "./turn-cork.ts";
import { framePayload } from "./ws-frame.ts";

/** Bytes sent as a text frame: they are UTF-8 JSON, and `ws` sends them without a copy. */
const TEXT = { binary: false };

/**
 * A socket's bounded send queue: a message is written at once, corked with the rest of its
 * turn (turn-cork.ts), unless an earlier turn's write is still in flight; then messages queue
 * and leave as one `batch` frame. Past the limit `onOverflow` ends the slow consumer. Shared
 * frames are written past `ws`, which is safe only while it neither compresses nor sends a
 * Blob: docs/architecture.md#writing-one-event-to-thousands-of-sockets
 */
export class WsOutbox {
  readonly #ws: WebSocket;
  readonly #socket: Duplex;
  readonly #limitBytes: number;
  readonly #onOverflow: () => void;
  #inFlight = 0;
  #queue: Buffer[] = [];
  #queuedBytes = 0;
  #overflowed = false;

  /** `socket`: the one the server upgraded to `ws`. */
  constructor(ws: WebSocket, socket: Duplex, limitBytes: number, onOverflow: () => void) {
    this.#ws = ws;
    this.#socket = socket;
    this.#limitBytes = limitBytes;
    this.#onOverflow = onOverflow;
  }

  /**
   * A message: a string (a reply, made for this socket) or a text frame shared by a
   * fan-out (textFrame).
   */
  send(message: string | Buffer): void {
    if (this.#overflowed || this.#ws.readyState !== this.#ws.OPEN) return;
    const corked = corkedForTurn(this.#socket);
    if (this.#inFlight === 0 || corked) {
      // A turn's writes count against the limit as a queue would.
      if (corked && this.#ws.bufferedAmount + message.length > this.#limitBytes) {
        this.#overflow();
        return;
      }
      this.#write(message);
      return;
    }
    const bytes = typeof message === "string" ? Buffer.from(message) : framePayload(message);
    this.#queue.push(bytes);
    this.#queuedBytes += bytes.length;
    if (this.#queuedBytes + this.#ws.bufferedAmount > this.#limitBytes) this.#overflow();
  }

  /** Answers the client's message `id` with an error; returns the answer for its span. */
  answerError(id: string, code: ErrorCode, text: string, detail?: unknown): { answer: ErrorCode } {
    this.send(serverMessage.error(id, code, text, detail));
    return { answer: code };
  }

  /** A reply through `ws`; a frame as it is, to the socket. */
  #write(message: string | Buffer): void {
    const done = this.#inFlightUntilDone();
    if (typeof message === "string") this.#ws.send(message, TEXT, done);
    else this.#socket.write(message, done);
  }

  /** What queued behind writes in flight: one message as itself, several as a batch. */
  #sendQueued(): void {
    const queued = this.#queue;
    this.#queue = [];
    this.#queuedBytes = 0;
    const payload = queued.length === 1 ? queued[0]! : serverMessage.batch(queued);
    this.#ws.send(payload, TEXT, this.#inFlightUntilDone());
  }

  /** Counts a write in flight, until the callback it returns; the last one sends the queue. */
  #inFlightUntilDone(): (err?: Error | null) => void {
    this.#inFlight++;
    corkForTurn(this.#socket);
    return (err) => {
      this.#inFlight--;
      if (!err && this.#inFlight === 0 && this.#queue.length > 0) this.#sendQueued();
    };
  }

  #overflow(): void {
    this.#overflowed = true;
    this.#queue = [];
    this.#queuedBytes = 0;
    this.#onOverflow();
  }
}
