/**
 * A soak Server-Sent Events subscriber (docs/push-protocol.md): one open lot's stream,
 * anonymous, moving to another open lot when its lot closes; or its user's notifications,
 * resuming with Last-Event-ID when it reconnects.
 */
import http from "node:http";
import { RECONNECT_MS, type FleetContext, type PushUser } from "./push-context.ts";

const pick = <T>(items: readonly T[]): T | undefined =>
  items[Math.floor(Math.random() * items.length)];

/** An SSE stream of one open lot (anonymous) or of its user's notifications. */
export class SseClient {
  readonly #context: FleetContext;
  readonly #user: PushUser | undefined;
  #lotId: string | undefined;
  #lastEventId: string | undefined;
  #request: http.ClientRequest | undefined;
  #generation = 0;
  #stopped = false;
  #open = false;

  /** With a user: their notifications; without: a lot's events. */
  constructor(context: FleetContext, user?: PushUser) {
    this.#context = context;
    this.#user = user;
  }

  get open(): boolean {
    return this.#open;
  }

  connect(): void {
    const generation = ++this.#generation;
    const current = () => generation === this.#generation && !this.#stopped;
    if (!this.#user && !this.#lotId) this.#lotId = pick(this.#context.openLots());
    if (!this.#user && !this.#lotId) return void this.#retry(generation);
    const path = this.#user ? "/sse/notifications" : `/sse/lots/${this.#lotId}`;
    const headers: Record<string, string> = { accept: "text/event-stream" };
    if (this.#user) headers.authorization = `Bearer ${this.#user.token}`;
    if (this.#lastEventId) headers["last-event-id"] = this.#lastEventId;
    const req = http.get(`${this.#context.pushUrl}${path}`, { agent: false, headers }, (res) => {
      if (res.statusCode !== 200) {
        this.#context.counts.problem(`sse HTTP ${res.statusCode}`);
        res.resume();
        return;
      }
      this.#open = true;
      this.#context.counts.connects++;
      let carry = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        if (!current()) return;
        const records = (carry + chunk).split("\n\n");
        carry = records.pop()!; // a record cut off by the chunk ends in the next one
        for (const record of records) if (current()) this.#received(record);
      });
    });
    req.on("error", () => undefined); // "close" follows, and counts it
    req.on("close", () => {
      if (!current()) return;
      this.#open = false;
      this.#context.counts.drops++;
      this.#retry(generation);
    });
    this.#request = req;
  }

  /** A lot stream whose lot is no longer open moves to another open lot. */
  reconcile(open: ReadonlySet<string>): void {
    if (!this.#user && this.#lotId && !open.has(this.#lotId)) this.#moveOn();
  }

  churn(): void {
    this.#end();
    setTimeout(() => !this.#stopped && this.connect(), RECONNECT_MS);
  }

  stop(): void {
    this.#stopped = true;
    this.#end();
  }

  #end(): void {
    this.#generation++;
    this.#open = false;
    this.#request?.destroy();
  }

  #moveOn(): void {
    this.#end();
    this.#lotId = undefined;
    this.#lastEventId = undefined;
    this.connect();
  }

  #retry(generation: number): void {
    setTimeout(
      () => generation === this.#generation && !this.#stopped && this.connect(),
      RECONNECT_MS,
    );
  }

  #received(record: string): void {
    let event: string | undefined;
    for (const line of record.split("\n")) {
      if (line.startsWith("id: ")) this.#lastEventId = line.slice(4);
      else if (line.startsWith("event: ")) event = line.slice(7);
    }
    if (!event) return; // a comment (ping, "live after") or the retry hint
    if (this.#user) this.#context.counts.sseUserEvents++;
    else this.#context.counts.sseLotEvents++;
    if (!this.#user && (event === "closed" || event === "cancelled")) this.#moveOn();
  }
}
