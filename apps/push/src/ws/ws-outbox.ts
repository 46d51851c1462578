import type { Duplex } from "node:stream";
import type { WebSocket } from "ws";
import { serverMessage } from "./protocol.ts";
import { corkedForTurn, corkForTurn } from "./turn-cork.ts";
import { framePayload } from "./ws-frame.ts";

/** Bytes sent as a text frame: they are UTF-8 JSON, and `ws` sends them without a copy. */
const TEXT = { binary: false };

/**
 * A socket's bounded send queue. While nothing is in flight a message is written at once,
 * and so is anything else written in the same turn of the event loop: the socket is corked
 * until the turn ends, so all of it leaves in one system call. While a write of an earlier
 * turn is still in flight (the socket lags) messages queue and then leave together as one
 * `batch` frame, so a lagging socket costs one write per burst instead of one per event.
 * When the queue and the socket's own buffer pass the limit, the client is a slow consumer:
 * `onOverflow` ends the connection (it resumes later from its last sequence) before it can
 * slow anyone else or hold unbounded memory.
 *
 * An event's frame, built once for every socket (ws-frame.ts), is written to the upgraded
 * socket itself, past `ws`. That is safe because `ws` writes each frame of its own whole
 * and synchronously, never leaving one half-written between calls, as long as it neither
 * compresses (the server turns permessage-deflate off) nor sends a Blob (nothing here
 * does): see Sender#send and Sender#sendFrame in ws/lib/sender.js. `ws.bufferedAmount`
 * counts the socket's buffer, so it counts these frames too.
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
