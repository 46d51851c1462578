import { Code, ConnectError } from "@connectrpc/connect";
import type { ErrorRequestHandler, Request, Response } from "express";
import type { Logger } from "@gavel/logging";
import { BadRequestSchema } from "@gavel/proto/common/v1/errors";
import { BidRejectionSchema } from "@gavel/proto/bidding/v1/bidding";
import { moneyJson } from "../api/representations.ts";

export const PROBLEM_TYPE_BASE = "https://gavel.dev/problems/";

export interface FieldError {
  field: string;
  message: string;
}

/** An RFC 9457 problem; thrown by routes and written by the error handler. */
export class Problem extends Error {
  override name = "Problem";
  readonly status: number;
  readonly type: string;
  readonly title: string;
  readonly extensions: Record<string, unknown>;
  readonly headers: Record<string, string>;

  constructor(
    status: number,
    type: string,
    title: string,
    detail: string,
    options: { extensions?: Record<string, unknown>; headers?: Record<string, string> } = {},
  ) {
    super(detail);
    this.status = status;
    this.type = type;
    this.title = title;
    this.extensions = options.extensions ?? {};
    this.headers = options.headers ?? {};
  }
}

export function validationProblem(errors: FieldError[]): Problem {
  return new Problem(
    400,
    "validation-failed",
    "The request is not valid",
    errors.map((e) => `${e.field}: ${e.message}`).join("; "),
    { extensions: { errors } },
  );
}

export function unauthenticated(
  detail = "this request needs a bearer token: sign in at /v1/auth/sign-in",
): Problem {
  return new Problem(401, "unauthenticated", "Authentication required", detail, {
    headers: { "www-authenticate": 'Bearer realm="gavel"' },
  });
}

/** The one table from Connect codes to HTTP statuses at the edge. */
const STATUS: Record<Code, number> = {
  [Code.Canceled]: 499,
  [Code.Unknown]: 500,
  [Code.InvalidArgument]: 400,
  [Code.DeadlineExceeded]: 504,
  [Code.NotFound]: 404,
  [Code.AlreadyExists]: 409,
  [Code.PermissionDenied]: 403,
  [Code.ResourceExhausted]: 429,
  [Code.FailedPrecondition]: 409,
  [Code.Aborted]: 409,
  [Code.OutOfRange]: 400,
  [Code.Unimplemented]: 501,
  [Code.Internal]: 500,
  [Code.Unavailable]: 503,
  [Code.DataLoss]: 500,
  [Code.Unauthenticated]: 401,
};

/** A problem for an error a service answered with; its details become extensions. */
export function problemFromConnect(err: ConnectError): Problem {
  const status = STATUS[err.code];
  const type = Code[err.code].replace(/[A-Z]/g, (c, i: number) => (i ? "-" : "") + c.toLowerCase());
  if (status >= 500) {
    const detail =
      err.code === Code.Unavailable
        ? "a service is unavailable; retry shortly"
        : "an internal error occurred";
    return new Problem(
      status,
      type,
      "Service error",
      detail,
      status === 503 ? { headers: { "retry-after": "1" } } : {},
    );
  }
  const extensions: Record<string, unknown> = {};
  const badRequest = err.findDetails(BadRequestSchema)[0];
  if (badRequest)
    extensions.errors = badRequest.fieldViolations.map((v) => ({
      field: v.field,
      message: v.description,
    }));
  const rejection = err.findDetails(BidRejectionSchema)[0];
  if (rejection) {
    extensions.reason = BID_REASONS[rejection.reason] ?? "unspecified";
    if (rejection.minimumNextBid) extensions.minimum_next_bid = moneyJson(rejection.minimumNextBid);
  }
  const headers: Record<string, string> =
    err.code === Code.Unauthenticated
      ? { "www-authenticate": 'Bearer realm="gavel", error="invalid_token"' }
      : {};
  return new Problem(status, type, TITLES[err.code] ?? "Request failed", err.rawMessage, {
    extensions,
    headers,
  });
}

const BID_REASONS: Record<number, string> = {
  1: "too_low",
  2: "lot_ended",
  3: "lot_cancelled",
  4: "already_highest",
};

const TITLES: Partial<Record<Code, string>> = {
  [Code.InvalidArgument]: "The request is not valid",
  [Code.NotFound]: "Not found",
  [Code.AlreadyExists]: "Already exists",
  [Code.PermissionDenied]: "Not allowed",
  [Code.FailedPrecondition]: "Not possible in the current state",
  [Code.Aborted]: "Conflict, retry",
  [Code.Unauthenticated]: "Authentication required",
  [Code.ResourceExhausted]: "Too many requests",
};

export function sendProblem(res: Response, problem: Problem, instance: string): void {
  res
    .status(problem.status)
    .set(problem.headers)
    .set("cache-control", "no-store")
    .type("application/problem+json")
    .send(JSON.stringify(problemJson(problem, instance)));
}

/** The problem document (RFC 9457) as sent. */
export function problemJson(problem: Problem, instance: string): Record<string, unknown> {
  return {
    type: `${PROBLEM_TYPE_BASE}${problem.type}`,
    title: problem.title,
    status: problem.status,
    detail: problem.message,
    instance,
    ...problem.extensions,
  };
}

/**
 * The last middleware: every error leaves as problem+json. Errors from body parsing
 * (malformed JSON, too large, wrong charset) carry a status; services' errors are
 * ConnectErrors; anything else is a bug, logged with its stack and answered 500.
 */
export function problemHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const problem = problemOf(err, logger, req);
    if (res.headersSent) {
      res.destroy();
      return;
    }
    sendProblem(res, problem, req.originalUrl);
  };
}

/** The problem an error is answered with; an unexpected error is logged with its stack. */
export function problemOf(err: unknown, logger: Logger, req: Request): Problem {
  if (err instanceof Problem) return err;
  if (err instanceof ConnectError) return problemFromConnect(err);
  if (isHttpError(err)) return bodyProblem(err);
  logger.error({ err, method: req.method, path: req.path }, "request failed unexpectedly");
  return new Problem(500, "internal", "Service error", "an internal error occurred");
}

interface HttpError {
  status: number;
  type?: string;
  message: string;
}

function isHttpError(err: unknown): err is HttpError {
  return typeof err === "object" && err !== null && typeof (err as HttpError).status === "number";
}

function bodyProblem(err: HttpError): Problem {
  switch (err.type) {
    case "entity.parse.failed":
      return new Problem(400, "malformed-json", "The body is not valid JSON", err.message);
    case "entity.too.large":
      return new Problem(413, "body-too-large", "The body is too large", err.message);
    case "encoding.unsupported":
    case "charset.unsupported":
      return new Problem(415, "unsupported-encoding", "Unsupported body encoding", err.message);
    default:
      return new Problem(
        err.status >= 400 && err.status < 500 ? err.status : 400,
        "bad-request",
        "Bad request",
        err.message,
      );
  }
}
