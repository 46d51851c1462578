import { LotRefusal, type Amount } from "@gavel/lot-events";
import type { RejectionReason } from "./bid-rules.ts";

export type BidErrorKind = RejectionReason;

/** A bid or close the domain refused; bidding-service maps each kind to one Connect code. */
export class BidError extends LotRefusal {
  override name = "BidError";
  readonly kind: BidErrorKind;
  readonly minimum: Amount | undefined;
  readonly endsAt: Date | undefined;

  constructor(
    kind: BidErrorKind,
    message: string,
    details: { minimum?: Amount | undefined; endsAt?: Date } = {},
  ) {
    super(message);
    this.kind = kind;
    this.minimum = details.minimum;
    this.endsAt = details.endsAt;
  }
}
