/**
 * A user bidding over their own push-gateway WebSocket (docs/push-protocol.md), with the
 * `id` and `bid` of the load generator's UserClient so that its Market drives both paths
 * alike: a `bid_refused` error answers as the REST edge's 409 does, with the minimum next
 * bid; any other error is a failure, named by its code. With `traceparent`, every bid
 * carries a fresh W3C trace context of its own, as the page's bids will.
 */
import { randomBytes, randomUUID } from "node:crypto";
import WebSocket from "ws";
import type { Problem, RestMoney } from "@gavel/load";

/** A bid unanswered this long fails, so a lost answer cannot hold a worker forever. */
const ANSWER_TIMEOUT_MS = 10_000;

interface ServerMessage {
  type: string;
  id?: string;
  code?: string;
  message?: string;
  detail?: { minimumNextBid?: { currencyCode: string; amountMinor: string } };
  messages?: ServerMessage[];
}

type BidAnswer = { ok: true } | { ok: false; problem: Problem };

export class SocketBidder {
  readonly id: string;
  readonly #ws: WebSocket;
  readonly #traceparent: boolean;
  readonly #pending = new Map<string, (answer: ServerMessage) => void>();
  readonly #welcome = Promise.withResolvers<void>();
  #nextId = 0;
  #closed: string | undefined;

  private constructor(ws: WebSocket, id: string, traceparent: boolean) {
    this.#ws = ws;
    this.id = id;
    this.#traceparent = traceparent;
    ws.on("message", (data: Buffer) => this.#received(JSON.parse(data.toString())));
    ws.on("error", () => undefined); // "close" follows, and says why
    ws.on("close", (code, reason) => {
      this.#closed = `socket closed: ${code} ${reason.toString()}`.trim();
      this.#welcome.reject(new Error(`push ${this.#closed}`));
      const gone: ServerMessage = { type: "error", code: "closed", message: this.#closed };
      for (const answer of this.#pending.values()) answer(gone);
      this.#pending.clear();
    });
  }

  /** Opens the user's socket with the browser's subprotocols and waits for `welcome`. */
  static async open(
    pushUrl: string,
    userId: string,
    token: string,
    options: { traceparent: boolean },
  ): Promise<SocketBidder> {
    const url = `${pushUrl.replace(/^http/, "ws")}/ws`;
    const ws = new WebSocket(url, ["gavel.v1", `bearer.${token}`], { perMessageDeflate: false });
    const bidder = new SocketBidder(ws, userId, options.traceparent);
    await bidder.#welcome.promise;
    return bidder;
  }

  async bid(lotId: string, amount: RestMoney): Promise<BidAnswer> {
    if (this.#closed) throw new Error(this.#closed);
    const id = String(++this.#nextId);
    const answered = new Promise<ServerMessage>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new Error(`no answer within ${ANSWER_TIMEOUT_MS} ms`));
      }, ANSWER_TIMEOUT_MS);
      this.#pending.set(id, (answer) => {
        clearTimeout(timer);
        resolve(answer);
      });
    });
    this.#ws.send(
      JSON.stringify({
        v: 1,
        type: "bid",
        id,
        lotId,
        bidId: randomUUID(),
        amount: { currency: amount.currency, amountMinor: String(amount.amount_minor) },
        ...(this.#traceparent ? { traceparent: newTraceparent() } : {}),
      }),
    );
    const answer = await answered;
    if (answer.type === "ack") return { ok: true };
    if (answer.code !== "bid_refused")
      return { ok: false, problem: { status: 0, title: `${answer.code}: ${answer.message}` } };
    const minimum = answer.detail?.minimumNextBid;
    return {
      ok: false,
      problem: {
        status: 409,
        title: answer.message,
        ...(minimum && {
          minimum_next_bid: {
            currency: minimum.currencyCode,
            amount_minor: Number(minimum.amountMinor),
          },
        }),
      },
    };
  }

  close(): void {
    this.#ws.close();
  }

  #received(message: ServerMessage): void {
    if (message.type === "welcome") this.#welcome.resolve();
    // A socket that lags gets several messages in one `batch`.
    for (const m of message.type === "batch" ? (message.messages ?? []) : [message]) {
      const answer = m.id === undefined ? undefined : this.#pending.get(m.id);
      if (!answer) continue;
      this.#pending.delete(m.id!);
      answer(m);
    }
  }
}

/** A sampled W3C trace context with random ids: a root the page would start per bid. */
function newTraceparent(): string {
  const ids = randomBytes(24).toString("hex");
  return `00-${ids.slice(0, 32)}-${ids.slice(32)}-01`;
}
