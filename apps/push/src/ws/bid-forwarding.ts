import { Code, ConnectError, type Client } from "@connectrpc/connect";
import { toJson } from "@bufbuild/protobuf";
import {
  BidRejectionSchema,
  BidSchema,
  type BiddingService,
} from "@gavel/proto/bidding/v1/bidding";
import { BadRequestSchema } from "@gavel/proto/common/v1/errors";
import { MoneySchema } from "@gavel/proto/common/v1/money";
import type { ErrorCode } from "./protocol.ts";

export interface BidRequest {
  lotId: string;
  bidId: string;
  amount: { currency: string; amountMinor: string };
}

export type BidOutcome =
  { ok: true; result: unknown } | { ok: false; code: ErrorCode; message: string; detail?: unknown };

/**
 * Places a bid for a socket's user at the bidding service, over Connect with the user's
 * token, and turns the answer into what the socket protocol acks or errors with.
 */
export async function forwardBid(
  bidding: Client<typeof BiddingService>,
  token: string,
  request: BidRequest,
): Promise<BidOutcome> {
  try {
    const { bid, state } = await bidding.placeBid(
      {
        lotId: request.lotId,
        bidId: request.bidId,
        amount: {
          currencyCode: request.amount.currency,
          amountMinor: BigInt(request.amount.amountMinor),
        },
      },
      { headers: { authorization: `Bearer ${token}` } },
    );
    return {
      ok: true,
      result: {
        bid: bid ? toJson(BidSchema, bid) : null,
        minimumNextBid: state?.minimumNextBid ? toJson(MoneySchema, state.minimumNextBid) : null,
      },
    };
  } catch (err) {
    return refusal(ConnectError.from(err));
  }
}

function refusal(err: ConnectError): BidOutcome {
  const failure = (code: ErrorCode, detail?: unknown): BidOutcome => ({
    ok: false,
    code,
    message: err.rawMessage,
    ...(detail === undefined ? {} : { detail }),
  });
  switch (err.code) {
    case Code.FailedPrecondition: {
      const rejection = err.findDetails(BidRejectionSchema)[0];
      return failure("bid_refused", rejection ? toJson(BidRejectionSchema, rejection) : undefined);
    }
    case Code.InvalidArgument: {
      const bad = err.findDetails(BadRequestSchema)[0];
      return failure("invalid_message", bad ? toJson(BadRequestSchema, bad) : undefined);
    }
    case Code.NotFound:
      return failure("not_found");
    case Code.PermissionDenied:
      return failure("permission_denied");
    case Code.Unauthenticated:
      return failure("unauthenticated");
    case Code.Unavailable:
    case Code.DeadlineExceeded:
    case Code.Aborted:
    case Code.ResourceExhausted:
      return { ok: false, code: "unavailable", message: "bidding is busy or unavailable; retry" };
    default:
      return { ok: false, code: "internal", message: "an internal error occurred" };
  }
}
