/**
 * A soak WebSocket subscriber (docs/push-protocol.md), on the `ws` package as a Node
 * program would use it: follows its user's channel and a few open lots, moves to other
 * lots as they close, and resumes after the last seq it saw on each channel when it
 * reconnects. It keeps only its current channels' positions.
 */
import WebSocket from "ws";
import { RECONNECT_MS, type FleetContext, type PushUser } from "./push-context.ts";

interface PushMessage {
  type: string;
  channel?: string;
  seq?: number;
  code?: string;
  messages?: PushMessage[];
}

/** A WebSocket client following user:<id> and `lots` open lots. */
export class WsClient {
  readonly #context: FleetContext;
  readonly #user: PushUser;
  readonly #lots: number;
  /** Followed lot id to the last seq seen on it (undefined: none yet). */
  readonly #following = new Map<string, number | undefined>();
  #userSeq: number | undefined;
  #socket: WebSocket | undefined;
  #generation = 0;
  #nextId = 0;
  #stopped = false;

  constructor(context: FleetContext, user: PushUser, lots: number) {
    this.#context = context;
    this.#user = user;
    this.#lots = lots;
  }

  get open(): boolean {
    return this.#socket?.readyState === WebSocket.OPEN;
  }

  connect(): void {
    const generation = ++this.#generation;
    const socket = new WebSocket(`${this.#context.pushUrl.replace(/^http/, "ws")}/ws`, "gavel.v1", {
      headers: { authorization: `Bearer ${this.#user.token}` },
      perMessageDeflate: false,
    });
    this.#socket = socket;
    socket.on("open", () => {
      this.#context.counts.connects++;
      this.#subscribe(`user:${this.#user.id}`, this.#userSeq);
      for (const [lotId, seq] of this.#following) this.#subscribe(`lot:${lotId}`, seq);
      this.reconcile(new Set(this.#context.openLots()));
    });
    socket.on("message", (data: Buffer) => this.#received(JSON.parse(data.toString())));
    socket.on("error", () => undefined); // "close" follows, and counts it
    socket.on("close", () => {
      if (generation !== this.#generation || this.#stopped) return;
      this.#context.counts.drops++;
      setTimeout(() => !this.#stopped && this.connect(), RECONNECT_MS);
    });
  }

  /** Drops lots that are no longer open and follows others up to the client's number. */
  reconcile(open: ReadonlySet<string>): void {
    if (!this.open) return;
    for (const lotId of this.#following.keys()) {
      if (open.has(lotId)) continue;
      this.#following.delete(lotId);
      this.#send({ type: "unsubscribe", channel: `lot:${lotId}` });
    }
    const candidates = [...open].filter((id) => !this.#following.has(id));
    while (this.#following.size < this.#lots && candidates.length) {
      const [lotId] = candidates.splice(Math.floor(Math.random() * candidates.length), 1);
      this.#following.set(lotId!, undefined);
      this.#subscribe(`lot:${lotId}`, undefined);
    }
  }

  /** Closes the socket as a user leaving would, and comes back a moment later. */
  churn(): void {
    this.#generation++;
    this.#socket?.close(1000);
    setTimeout(() => !this.#stopped && this.connect(), RECONNECT_MS);
  }

  stop(): void {
    this.#stopped = true;
    this.#socket?.terminate();
  }

  #subscribe(channel: string, after: number | undefined): void {
    this.#send({ type: "subscribe", channel, ...(after === undefined ? {} : { after }) });
  }

  #send(message: Record<string, unknown>): void {
    this.#nextId = (this.#nextId % 1_000_000) + 1;
    this.#socket?.send(JSON.stringify({ v: 1, id: String(this.#nextId), ...message }));
  }

  #received(message: PushMessage): void {
    if (message.type === "batch") return message.messages?.forEach((m) => this.#received(m));
    if (message.type === "error") return this.#context.counts.problem(`ws ${message.code}`);
    if (message.type !== "event" || !message.channel) return;
    if (message.channel.startsWith("user:")) {
      this.#context.counts.wsUserEvents++;
      this.#userSeq = message.seq;
      return;
    }
    this.#context.counts.wsLotEvents++;
    const lotId = message.channel.slice("lot:".length);
    if (this.#following.has(lotId)) this.#following.set(lotId, message.seq);
  }
}
