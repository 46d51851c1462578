import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import { LotContentionError, LotNotFoundError, toMoney } from "@gavel/lot-events";
import { isNatsUnavailable } from "@gavel/nats";
import { BidRejection_Reason, BidRejectionSchema } from "@gavel/proto/bidding/v1/bidding";
import { BidError, type BidErrorKind } from "./bid-errors.ts";

/** The one table from domain refusals to Connect codes for this service. */
const CODES: Record<BidErrorKind, Code> = {
  own_lot: Code.PermissionDenied,
  too_low: Code.FailedPrecondition,
  ended: Code.FailedPrecondition,
  cancelled: Code.FailedPrecondition,
  already_highest: Code.FailedPrecondition,
  currency_mismatch: Code.InvalidArgument,
  bid_id_reused: Code.AlreadyExists,
};

const REASONS: Partial<Record<BidErrorKind, BidRejection_Reason>> = {
  too_low: BidRejection_Reason.TOO_LOW,
  ended: BidRejection_Reason.LOT_ENDED,
  cancelled: BidRejection_Reason.LOT_CANCELLED,
  already_highest: BidRejection_Reason.ALREADY_HIGHEST,
};

/** Maps what a handler threw; anything unknown passes through and becomes INTERNAL. */
export function toConnectError(err: unknown): unknown {
  if (err instanceof ConnectError) return err;
  if (err instanceof LotNotFoundError) return new ConnectError(err.message, Code.NotFound);
  if (err instanceof LotContentionError)
    return new ConnectError(`${err.message} (same bid id)`, Code.Aborted);
  if (err instanceof BidError) {
    const reason = REASONS[err.kind];
    const details =
      reason === undefined
        ? []
        : [
            {
              desc: BidRejectionSchema,
              value: create(BidRejectionSchema, {
                reason,
                ...(err.minimum ? { minimumNextBid: toMoney(err.minimum) } : {}),
                ...(err.endsAt ? { endsAt: timestampFromDate(err.endsAt) } : {}),
              }),
            },
          ];
    return new ConnectError(err.message, CODES[err.kind], undefined, details);
  }
  if (isNatsUnavailable(err)) {
    return new ConnectError(
      "bid storage is unavailable, retry shortly",
      Code.Unavailable,
      undefined,
      undefined,
      err,
    );
  }
  return err;
}
