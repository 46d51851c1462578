/**
 * The soak's push subscribers (docs/push-protocol.md): WebSocket clients (the `ws`
 * package, as a Node program would use) that follow their user's channel and a few open
 * lots, and SSE streams that follow one open lot or their user's notifications. They move
 * to other lots as lots close, resume after the last seq they saw when they reconnect,
 * and a few are dropped on purpose every round, so the gateway's connect, subscribe and
 * teardown paths run all soak long. A client keeps only its current channels' positions:
 * nothing in here grows with the length of the run.
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
