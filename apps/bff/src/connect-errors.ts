import { timestampDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import { GraphQLError } from "graphql";
import { BidRejection_Reason, BidRejectionSchema } from "@gavel/proto/bidding/v1/bidding";
import { BadRequestSchema } from "@gavel/proto/common/v1/errors";
import type { ResolversInterfaceTypes, ResolversTypes } from "./gen/resolvers-types.ts";

/** A typed refusal a client switches on by __typename. */
export type ProblemResult = ResolversInterfaceTypes<ResolversTypes>["Problem"];
type ProblemName = ProblemResult["__typename"];

interface Mapping {
  /** extensions.code when the error stays an error. */
  code: string;
  /** The typed result it becomes where a mutation's union has room for it. */
  result?: (err: ConnectError) => ProblemResult;
}

/**
 * The one table from the services' Connect codes to what a GraphQL client sees: a
 * typed result in a mutation's union, or else an error with this extensions.code.
 */
const CONNECT_ERRORS: Record<Code, Mapping> = {
  [Code.InvalidArgument]: { code: "BAD_USER_INPUT", result: validationFailed },
  [Code.NotFound]: { code: "NOT_FOUND", result: (e) => problem("NotFound", e) },
  [Code.PermissionDenied]: { code: "FORBIDDEN", result: (e) => problem("NotAllowed", e) },
  [Code.FailedPrecondition]: { code: "FAILED_PRECONDITION", result: refusal },
  [Code.Unauthenticated]: {
    code: "UNAUTHENTICATED",
    result: (e) => problem("InvalidCredentials", e),
  },
  [Code.AlreadyExists]: { code: "CONFLICT" },
  [Code.Aborted]: { code: "CONFLICT_RETRY" },
  [Code.OutOfRange]: { code: "BAD_USER_INPUT" },
  [Code.ResourceExhausted]: { code: "RATE_LIMITED" },
  [Code.Canceled]: { code: "CANCELLED" },
  [Code.DeadlineExceeded]: { code: "UPSTREAM_TIMEOUT" },
  [Code.Unavailable]: { code: "SERVICE_UNAVAILABLE" },
  [Code.Unimplemented]: { code: "INTERNAL_SERVER_ERROR" },
  [Code.Unknown]: { code: "INTERNAL_SERVER_ERROR" },
  [Code.Internal]: { code: "INTERNAL_SERVER_ERROR" },
  [Code.DataLoss]: { code: "INTERNAL_SERVER_ERROR" },
};

export const INTERNAL_CODE = "INTERNAL_SERVER_ERROR";

/**
 * The typed result a mutation answers a service's refusal with, when its union allows
 * that result; otherwise the error is thrown on, to leave as a GraphQL error.
 */
export function problemFor<N extends ProblemName>(
  err: unknown,
  allowed: readonly N[],
): Extract<ProblemResult, { __typename: N }> {
  if (err instanceof ConnectError) {
    const result = CONNECT_ERRORS[err.code].result?.(err);
    if (result && (allowed as readonly string[]).includes(result.__typename))
      return result as Extract<ProblemResult, { __typename: N }>;
  }
  throw err;
}

/** A service's error that stays an error; 5xx-like ones keep no detail for the client. */
export function graphQLErrorFrom(err: ConnectError): GraphQLError {
  const { code } = CONNECT_ERRORS[err.code];
  const message =
    code === INTERNAL_CODE
      ? "an internal error occurred"
      : code === "SERVICE_UNAVAILABLE"
        ? "a service is unavailable; retry shortly"
        : err.rawMessage;
  return new GraphQLError(message, { extensions: { code } });
}

function problem<N extends "NotFound" | "NotAllowed" | "InvalidCredentials">(
  __typename: N,
  err: ConnectError,
) {
  return { __typename, message: err.rawMessage };
}

function validationFailed(err: ConnectError): ProblemResult {
  const violations = err.findDetails(BadRequestSchema)[0]?.fieldViolations ?? [];
  return {
    __typename: "ValidationFailed",
    message: err.rawMessage,
    fields: violations.map((v) => ({ field: camelPath(v.field), message: v.description })),
  };
}

/** FAILED_PRECONDITION: a bid's rejection says why; anything else is not allowed now. */
function refusal(err: ConnectError): ProblemResult {
  const rejection = err.findDetails(BidRejectionSchema)[0];
  const endsAt = rejection?.endsAt ? timestampDate(rejection.endsAt) : null;
  switch (rejection?.reason) {
    case BidRejection_Reason.TOO_LOW:
      return {
        __typename: "BidTooLow",
        message: err.rawMessage,
        minimumNextBid: rejection.minimumNextBid ?? null,
      };
    case BidRejection_Reason.LOT_ENDED:
      return { __typename: "LotNotOpen", message: err.rawMessage, status: "CLOSED", endsAt };
    case BidRejection_Reason.LOT_CANCELLED:
      return { __typename: "LotNotOpen", message: err.rawMessage, status: "CANCELLED", endsAt };
    case BidRejection_Reason.ALREADY_HIGHEST:
      return { __typename: "AlreadyHighestBidder", message: err.rawMessage };
    default:
      return problem("NotAllowed", err);
  }
}

/** The services name fields as in protobuf ("starting_price.amount_minor"); GraphQL in camelCase. */
export function camelPath(field: string): string {
  return field.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
}
