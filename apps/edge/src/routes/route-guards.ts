import type { RequestHandler } from "express";
import { Problem } from "../http/problem.ts";

/** 405 with the Allow header for a known path and a method it does not take. */
export function methodNotAllowed(...allowed: string[]): RequestHandler {
  const allow = allowed.includes("GET") ? [...allowed, "HEAD"] : allowed;
  return (req) => {
    throw new Problem(
      405,
      "method-not-allowed",
      "Method not allowed",
      `${req.method} is not allowed here; use ${allow.join(", ")}`,
      {
        headers: { allow: allow.join(", ") },
      },
    );
  };
}

/** 415 for a body that is not JSON: a form or text body is refused, not guessed at. */
export const requireJson: RequestHandler = (req, _res, next) => {
  const hasBody =
    Number(req.get("content-length") ?? 0) > 0 || req.get("transfer-encoding") !== undefined;
  if (hasBody && !req.is("application/json")) {
    throw new Problem(
      415,
      "unsupported-media-type",
      "Unsupported media type",
      "send the body as application/json",
      {
        headers: { "accept-post": "application/json" },
      },
    );
  }
  next();
};
