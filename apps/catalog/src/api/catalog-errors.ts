import { Code, ConnectError } from "@connectrpc/connect";
import { LotContentionError, LotNotFoundError, LotRefusal } from "@gavel/lot-events";
import { isNatsUnavailable } from "@gavel/nats";
import type { Refusal } from "../lots/lot-rules.ts";

/** A lot rule said no: to cancelling a lot, or to watching it. */
export class RuleRefused extends LotRefusal {
  override name = "RuleRefused";
  readonly reason: Refusal;

  constructor(reason: Refusal) {
    super(MESSAGES[reason]);
    this.reason = reason;
  }
}

const MESSAGES: Record<Refusal, string> = {
  not_seller: "only the seller of a lot may cancel it",
  not_open: "the lot is already closed or cancelled",
  ended: "the lot has ended",
  has_bids: "a lot with bids cannot be cancelled",
};

/** The one table from this service's refusals to Connect codes. */
const CODES: Record<Refusal, Code> = {
  not_seller: Code.PermissionDenied,
  not_open: Code.FailedPrecondition,
  ended: Code.FailedPrecondition,
  has_bids: Code.FailedPrecondition,
};

export function toConnectError(err: unknown): unknown {
  if (err instanceof ConnectError) return err;
  if (err instanceof RuleRefused) return new ConnectError(err.message, CODES[err.reason]);
  if (err instanceof LotNotFoundError) return new ConnectError(err.message, Code.NotFound);
  if (err instanceof LotContentionError) return new ConnectError(err.message, Code.Aborted);
  if (isNatsUnavailable(err)) {
    return new ConnectError(
      "catalog storage is unavailable, retry shortly",
      Code.Unavailable,
      undefined,
      undefined,
      err,
    );
  }
  return err;
}
