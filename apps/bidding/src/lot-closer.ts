import { create } from "@bufbuild/protobuf";
import { timestampDate, timestampFromDate } from "@bufbuild/protobuf/wkt";
import { DeliverPolicy, jetstream } from "@nats-io/jetstream";
import type { MsgHdrs, NatsConnection } from "@nats-io/nats-core";
import { context, SpanStatusCode, trace } from "@opentelemetry/api";
import { fromBinary } from "@bufbuild/protobuf";
import { toMoney, type LotWriter } from "@gavel/lot-events";
import type { Logger } from "@gavel/logging";
import {
  LOT_EVENTS_STREAM,
  LOT_SUBJECT_WILDCARD,
  lotIdFromSubject,
  CONSUME_EXPIRES_MS,
} from "@gavel/nats";
import { contextOf } from "@gavel/telemetry";
import { LotEventSchema, type LotEvent } from "@gavel/proto/lot/v1/lot_events";
import { decideClose } from "./bid-rules.ts";

const MAX_TIMER_MS = 1_000;
const RETRY_MS = 1_000;

/**
 * Closes lots at their end. Every bidding replica runs one, following each lot's last event;
 * replicas race to append LotClosed through the lot's write loop, and the expected-version
 * append lets exactly one win. The close continues the trace of the lot's last accepted bid.
 * docs/architecture.md#the-lot-stream
 */

const tracer = trace.getTracer("gavel.bidding");
export class LotCloser {
  readonly #deadlines = new Map<string, number>();
  readonly #closing = new Set<string>();
  /** The headers (trace context) of each open lot's last accepted bid. */
  readonly #lastBid = new Map<string, MsgHdrs>();
  readonly #abort = new AbortController();
  #timer: NodeJS.Timeout | undefined;
  /** When the timer fires; an event only re-arms it for an earlier end. */
  #timerAt = Infinity;
  #caughtUp = false;
  #done: Promise<void> | undefined;
  readonly #nc: NatsConnection;
  readonly #writer: LotWriter;
  readonly #logger: Logger;

  constructor(nc: NatsConnection, writer: LotWriter, logger: Logger) {
    this.#nc = nc;
    this.#writer = writer;
    this.#logger = logger;
  }

  /** True once the schedule holds every lot that existed at start. */
  get caughtUp(): boolean {
    return this.#caughtUp;
  }

  async start(): Promise<void> {
    const js = jetstream(this.#nc);
    const consumer = await js.consumers.get(LOT_EVENTS_STREAM, {
      filter_subjects: [LOT_SUBJECT_WILDCARD],
      deliver_policy: DeliverPolicy.LastPerSubject,
    });
    const info = await consumer.info();
    if (info.num_pending === 0) this.#caughtUp = true;
    const messages = await consumer.consume({ expires: CONSUME_EXPIRES_MS });
    this.#abort.signal.addEventListener("abort", () => messages.stop(), { once: true });
    this.#done = (async () => {
      for await (const message of messages) {
        const lotId = lotIdFromSubject(message.subject);
        const event = fromBinary(LotEventSchema, message.data);
        this.#track(lotId, event, message.headers);
        if (message.info.pending === 0) this.#caughtUp = true;
      }
    })();
    this.#schedule();
  }

  async stop(): Promise<void> {
    this.#abort.abort();
    clearTimeout(this.#timer);
    await this.#done;
  }

  /** Keeps the lot's end, and a bid's headers (its trace) for the close to continue. */
  #track(lotId: string, event: LotEvent, headers: MsgHdrs | undefined): void {
    const kind = event.kind;
    if (kind.case === "opened" && kind.value.endsAt)
      this.#deadlines.set(lotId, timestampDate(kind.value.endsAt).getTime());
    else if (kind.case === "bidAccepted") {
      if (kind.value.endsAt) this.#deadlines.set(lotId, timestampDate(kind.value.endsAt).getTime());
      if (headers) this.#lastBid.set(lotId, headers);
    } else if (kind.case === "closed" || kind.case === "cancelled") {
      this.#deadlines.delete(lotId);
      this.#lastBid.delete(lotId);
    }
    const at = this.#deadlines.get(lotId);
    if (at !== undefined && at < this.#timerAt) this.#schedule();
  }

  /**
   * One timer for the earliest end, capped so a clock jump is noticed within a second.
   * Finding the earliest end walks every open lot, so it runs when the timer fires or
   * an event brings an end forward, not on every bid.
   */
  #schedule(): void {
    if (this.#abort.signal.aborted) return;
    clearTimeout(this.#timer);
    let next = Infinity;
    for (const [lotId, at] of this.#deadlines)
      if (!this.#closing.has(lotId)) next = Math.min(next, at);
    const delay = Math.max(0, Math.min(next - Date.now(), MAX_TIMER_MS));
    this.#timerAt = Date.now() + delay;
    this.#timer = setTimeout(() => this.#closeDue(), delay);
    this.#timer.unref();
  }

  #closeDue(): void {
    const now = Date.now();
    for (const [lotId, at] of this.#deadlines) {
      if (at <= now && !this.#closing.has(lotId)) void this.#close(lotId);
    }
    this.#schedule();
  }

  async #close(lotId: string): Promise<void> {
    this.#closing.add(lotId);
    const span = tracer.startSpan(
      "close lot",
      { attributes: { "gavel.lot.id": lotId } },
      contextOf(this.#lastBid.get(lotId)),
    );
    try {
      await context.with(trace.setSpan(context.active(), span), () => this.#closeNow(lotId));
    } finally {
      span.end();
    }
  }

  async #closeNow(lotId: string): Promise<void> {
    try {
      const outcome = await this.#writer.write<{ rescheduleAt: number | undefined }>(
        lotId,
        (state) => {
          const now = new Date();
          const decision = decideClose(state, now);
          if (decision.kind === "not_yet")
            return { done: { rescheduleAt: decision.dueAt.getTime() } };
          if (decision.kind === "nothing_to_do") return { done: { rescheduleAt: undefined } };
          return {
            msgId: `close:${lotId}`,
            append: create(LotEventSchema, {
              lotId,
              occurredAt: timestampFromDate(now),
              kind: {
                case: "closed",
                value: {
                  winnerId: decision.winnerId,
                  winningBidId: decision.winningBid?.bidId ?? "",
                  ...(decision.winningBid
                    ? { hammerPrice: toMoney(decision.winningBid.amount) }
                    : {}),
                  reserveMet: decision.reserveMet,
                  bidCount: decision.bidCount,
                  endedAt: timestampFromDate(decision.endedAt),
                },
              },
            }),
            then: () => {
              this.#logger.info(
                { lot_id: lotId, winner_id: decision.winnerId, bids: decision.bidCount },
                "lot closed",
              );
              return { rescheduleAt: undefined };
            },
          };
        },
      );
      if (outcome.rescheduleAt === undefined) this.#deadlines.delete(lotId);
      else this.#deadlines.set(lotId, outcome.rescheduleAt);
    } catch (err) {
      trace.getActiveSpan()?.recordException(err as Error);
      trace.getActiveSpan()?.setStatus({ code: SpanStatusCode.ERROR });
      // Kept in the schedule a second later: NATS may be away for a moment.
      this.#deadlines.set(lotId, Date.now() + RETRY_MS);
      this.#logger.warn({ err, lot_id: lotId }, "closing a lot failed, will retry");
    } finally {
      this.#closing.delete(lotId);
      this.#schedule();
    }
  }
}
