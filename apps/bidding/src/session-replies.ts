import { create } from "@bufbuild/protobuf";
import type { ConnectError } from "@connectrpc/connect";
import { codeToString } from "@connectrpc/connect/protocol-connect";
import {
  BidRejectionSchema,
  BidSessionResponseSchema,
  type BidSessionResponse,
  type FollowEnded_Reason,
  type PlaceBidRequest,
  type PlaceBidResponse,
} from "@gavel/proto/bidding/v1/bidding";
import { BadRequestSchema } from "@gavel/proto/common/v1/errors";

/**
 * The replies a BidSession sends to its requests. Ids the client sent are echoed so it
 * can tell what each answers, cut to 64 characters (all of any valid id), so that a
 * queued reply is never much larger than the request's ids allow.
 */
const ECHO_MAX = 64;
const echo = (id: string) => id.slice(0, ECHO_MAX);

export function bidAccepted(response: PlaceBidResponse): BidSessionResponse {
  return create(BidSessionResponseSchema, { kind: { case: "bidAccepted", value: response } });
}

/** A bid refused with the error PlaceBid would have failed with, details and all. */
export function bidRefused(req: PlaceBidRequest, err: ConnectError): BidSessionResponse {
  const rejection = err.findDetails(BidRejectionSchema)[0];
  return create(BidSessionResponseSchema, {
    kind: {
      case: "bidRefused",
      value: {
        bidId: echo(req.bidId),
        lotId: echo(req.lotId),
        code: codeToString(err.code),
        message: err.rawMessage,
        ...(rejection ? { rejection } : {}),
        fieldViolations: err.findDetails(BadRequestSchema)[0]?.fieldViolations ?? [],
      },
    },
  });
}

export function followEnded(
  lotId: string,
  reason: FollowEnded_Reason,
  message: string,
): BidSessionResponse {
  return create(BidSessionResponseSchema, {
    kind: { case: "followEnded", value: { lotId: echo(lotId), reason, message } },
  });
}

export function requestRefused(err: ConnectError): BidSessionResponse {
  return create(BidSessionResponseSchema, {
    kind: {
      case: "requestRefused",
      value: { code: codeToString(err.code), message: err.rawMessage },
    },
  });
}
