import { timestampDate } from "@bufbuild/protobuf/wkt";
import { Unprocessable } from "@gavel/nats";
import type { LotClosed, LotEvent } from "@gavel/proto/lot/v1/lot_events";
import type { Amount } from "./money.ts";

export type LotPhase = "open" | "closed" | "cancelled";

/** What a lot's opened event fixes for its whole life. */
export interface LotListing {
  lotId: string;
  sellerId: string;
  title: string;
  description: string;
  startingPrice: Amount;
  reservePrice: Amount;
  snipeWindowSeconds: number;
  openedAt: Date;
}

export interface AcceptedBid {
  bidId: string;
  bidderId: string;
  amount: Amount;
  placedAt: Date;
  /** Stream sequence of the event that accepted it. */
  sequence: number;
  extended: boolean;
  /** The lot's end once this bid was accepted: later than before when it extended it. */
  endsAt: Date;
}

/**
 * A lot as the fold of its events. Deterministic: the same events in the same order
 * give the same state on every replica. Mutated in place by apply() because a hot
 * lot folds thousands of bids and copying them per event would be quadratic.
 */
export class LotState {
  phase: LotPhase = "open";
  endsAt: Date;
  /**
   * The end the lot was listed with, before any anti-sniping extension: with each bid's
   * endsAt, the history of the end, for rules that ask when the lot first came near it.
   */
  readonly listedEndsAt: Date;
  /** Sequence of the last event folded in; the expected sequence of the next append. */
  version: number;
  readonly bids: AcceptedBid[] = [];
  closed: LotClosed | undefined;
  cancelReason: string | undefined;
  readonly #bidsById = new Map<string, AcceptedBid>();

  readonly lotId: string;
  readonly sellerId: string;
  readonly title: string;
  readonly description: string;
  readonly startingPrice: Amount;
  /** Zero when the lot has no reserve. */
  readonly reservePrice: Amount;
  readonly snipeWindowSeconds: number;
  readonly openedAt: Date;

  private constructor(init: LotListing, endsAt: Date, version: number) {
    this.lotId = init.lotId;
    this.sellerId = init.sellerId;
    this.title = init.title;
    this.description = init.description;
    this.startingPrice = init.startingPrice;
    this.reservePrice = init.reservePrice;
    this.snipeWindowSeconds = init.snipeWindowSeconds;
    this.openedAt = init.openedAt;
    this.endsAt = endsAt;
    this.listedEndsAt = endsAt;
    this.version = version;
  }

  /** Starts the fold with a lot's first event, which must be LotOpened. */
  static fromFirstEvent(sequence: number, event: LotEvent): LotState {
    if (event.kind.case !== "opened") {
      throw new CorruptStreamError(
        event.lotId,
        sequence,
        `first event is ${event.kind.case}, not opened`,
      );
    }
    const opened = event.kind.value;
    const starting = requireAmount(opened.startingPrice, event.lotId, sequence);
    const listing: LotListing = {
      lotId: event.lotId,
      sellerId: opened.sellerId,
      title: opened.title,
      description: opened.description,
      startingPrice: starting,
      reservePrice: opened.reservePrice
        ? { currency: opened.reservePrice.currencyCode, minor: opened.reservePrice.amountMinor }
        : { currency: starting.currency, minor: 0n },
      snipeWindowSeconds: opened.snipeWindowSeconds,
      openedAt: event.occurredAt ? timestampDate(event.occurredAt) : new Date(0),
    };
    return new LotState(
      listing,
      opened.endsAt ? timestampDate(opened.endsAt) : new Date(0),
      sequence,
    );
  }

  /** Folds in the event that follows the last one. */
  apply(sequence: number, event: LotEvent): void {
    if (sequence <= this.version) return; // already folded in (a replay overlap)
    switch (event.kind.case) {
      case "bidAccepted": {
        const accepted = event.kind.value;
        const bid: AcceptedBid = {
          bidId: accepted.bidId,
          bidderId: accepted.bidderId,
          amount: requireAmount(accepted.amount, this.lotId, sequence),
          placedAt: event.occurredAt ? timestampDate(event.occurredAt) : new Date(0),
          sequence,
          extended: accepted.extended,
          endsAt: accepted.endsAt ? timestampDate(accepted.endsAt) : this.endsAt,
        };
        this.bids.push(bid);
        this.endsAt = bid.endsAt;
        this.#bidsById.set(bid.bidId, bid);
        break;
      }
      case "closed":
        this.phase = "closed";
        this.closed = event.kind.value;
        break;
      case "cancelled":
        this.phase = "cancelled";
        this.cancelReason = event.kind.value.reason;
        break;
      case "opened":
        throw new CorruptStreamError(this.lotId, sequence, "a second opened event");
      default:
        throw new CorruptStreamError(this.lotId, sequence, "an event of unknown kind");
    }
    this.version = sequence;
  }

  get highestBid(): AcceptedBid | undefined {
    return this.bids.at(-1);
  }

  get reserveMet(): boolean {
    const highest = this.highestBid;
    if (this.reservePrice.minor === 0n) return true;
    return highest !== undefined && highest.amount.minor >= this.reservePrice.minor;
  }

  bidById(bidId: string): AcceptedBid | undefined {
    return this.#bidsById.get(bidId);
  }
}

/**
 * The stream holds something the fold cannot accept; never expected in practice. No
 * retry can fix it, so a durable worker terminates the message (Unprocessable).
 */
export class CorruptStreamError extends Unprocessable {
  override name = "CorruptStreamError";
  constructor(lotId: string, sequence: number, what: string) {
    super(`lot ${lotId} event ${sequence}: ${what}`);
  }
}

function requireAmount(
  money: { currencyCode: string; amountMinor: bigint } | undefined,
  lotId: string,
  sequence: number,
): Amount {
  if (!money) throw new CorruptStreamError(lotId, sequence, "missing amount");
  return { currency: money.currencyCode, minor: money.amountMinor };
}
