import type { Money } from "./money.ts";
import type { PageSpan, PageTracing } from "./page-tracing.ts";
import type { BidAnswer, ServerMessage } from "./push-messages.ts";

interface PendingBid {
  message: string;
  span: PageSpan;
  resolve: (answer: BidAnswer) => void;
}

/** A bid's answer; `traceId` is the trace the page started for it, when tracing is on. */
export type TracedBidAnswer = BidAnswer & { traceId?: string };

/**
 * Bids sent and not answered yet, each kept as its text to send again after a reconnect
 * (its bidId makes that safe). Each bid is a span of the page, its context sent in
 * `traceparent`.
 */
export class PendingBids {
  readonly #pending = new Map<string, PendingBid>();
  readonly #tracing: PageTracing;

  constructor(tracing: PageTracing) {
    this.#tracing = tracing;
  }

  /** A bid as message `id`: the text to send, and its answer once it comes. */
  add(id: string, lotId: string, bidId: string, amount: Money) {
    const span = this.#tracing.start("bid", {
      "network.protocol.name": "websocket",
      "gavel.lot.id": lotId,
    });
    const traceparent = span.traceparent ? { traceparent: span.traceparent } : {};
    const message = JSON.stringify({ v: 1, type: "bid", id, lotId, bidId, amount, ...traceparent });
    const answer = new Promise<TracedBidAnswer>((resolve) => {
      this.#pending.set(id, {
        message,
        span,
        resolve: (answer) => resolve(span.traceId ? { ...answer, traceId: span.traceId } : answer),
      });
    });
    return { message, answer };
  }

  /** Every waiting bid's text, to send again. */
  messages(): string[] {
    return [...this.#pending.values()].map((bid) => bid.message);
  }

  /** Settles the bid an `ack` or `error` answers, if it is one of them. */
  settle(message: ServerMessage): void {
    const id = message.id ?? "";
    const pending = this.#pending.get(id);
    if (!pending) return;
    this.#pending.delete(id);
    pending.span.end(
      message.type === "ack"
        ? { attributes: { "gavel.ws.answer": "ack" } }
        : {
            attributes: { "gavel.ws.answer": message.code ?? "error" },
            // A refused bid is an answer, not a failure; only the system's own are.
            ...(message.code === "internal" || message.code === "unavailable"
              ? { error: message.message ?? message.code }
              : {}),
          },
    );
    pending.resolve(
      message.type === "ack"
        ? { ok: true, result: message.result as Extract<BidAnswer, { ok: true }>["result"] }
        : {
            ok: false,
            code: message.code ?? "internal",
            message: message.message ?? "",
            detail: message.detail,
          },
    );
  }
}
