/**
 * The soak's push subscribers (docs/push-protocol.md): WebSocket clients on their user's
 * channel and a few open lots, SSE streams on a lot or their notifications. They move on
 * as lots close, resume when they reconnect, and some are dropped every round; a client
 * keeps only its current channels' positions, so nothing grows with the run's length.
 */
import { PushCounts, type FleetContext, type PushUser } from "./push-context.ts";
import { SseClient } from "./sse-client.ts";
import { WsClient } from "./ws-client.ts";

export interface PushFleetOptions {
  pushUrl: string;
  users: PushUser[];
  websockets: number;
  /** Half follow a lot each, half their user's notifications. */
  sseStreams: number;
  lotsPerSocket: number;
  openLots(): readonly string[];
}

/** Every subscriber of the soak, opened gradually and moved along with the open lots. */
export class PushFleet {
  readonly counts = new PushCounts();
  readonly #ws: WsClient[];
  readonly #sse: SseClient[];
  readonly #context: FleetContext;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: PushFleetOptions) {
    this.#context = { pushUrl: options.pushUrl, counts: this.counts, openLots: options.openLots };
    const user = (i: number) => options.users[i % options.users.length]!;
    this.#ws = Array.from(
      { length: options.websockets },
      (_, i) => new WsClient(this.#context, user(i), options.lotsPerSocket),
    );
    this.#sse = Array.from(
      { length: options.sseStreams },
      (_, i) => new SseClient(this.#context, i % 2 ? user(i) : undefined),
    );
  }

  /** Opens every client, 20 at a time, then keeps them on open lots (every 5 s). */
  async start(): Promise<void> {
    const all = [...this.#ws, ...this.#sse];
    for (let i = 0; i < all.length; i += 20) {
      all.slice(i, i + 20).forEach((c) => c.connect());
      await new Promise((r) => setTimeout(r, 100));
    }
    this.#timer = setInterval(() => {
      const open = new Set(this.#context.openLots());
      for (const client of all) client.reconcile(open);
    }, 5_000);
  }

  /** Closes and reopens a random `fraction` of the clients. */
  churn(fraction: number): void {
    for (const client of [...this.#ws, ...this.#sse]) if (Math.random() < fraction) client.churn();
  }

  get open(): { ws: number; sse: number } {
    return {
      ws: this.#ws.filter((c) => c.open).length,
      sse: this.#sse.filter((c) => c.open).length,
    };
  }

  stop(): void {
    clearInterval(this.#timer);
    for (const client of [...this.#ws, ...this.#sse]) client.stop();
  }
}
