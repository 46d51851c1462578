import type { RequestHandler, Response } from "express";
import { InvalidTokenError, type Caller, type TokenVerifier } from "@gavel/auth";
import { Problem, unauthenticated } from "./problem.ts";

/**
 * Verifies the Bearer token when a request has one (the services verify it again:
 * none trusts the edge). A bad token is a 401 even on public routes, so a client never
 * silently reads anonymously after its token expired.
 */
export function authenticate(verifier: TokenVerifier): RequestHandler {
  return async (req, res, next) => {
    const header = req.get("authorization");
    if (header === undefined) return next();
    const match = /^Bearer ([A-Za-z0-9_.-]+)$/.exec(header.trim());
    if (!match?.[1]) throw unauthenticated('the Authorization header must be "Bearer <token>"');
    try {
      res.locals.caller = await verifier.verify(match[1]);
    } catch (err) {
      if (!(err instanceof InvalidTokenError)) throw err;
      throw new Problem(401, "unauthenticated", "Authentication required", err.message, {
        headers: {
          "www-authenticate": `Bearer realm="gavel", error="invalid_token", error_description="${err.message}"`,
        },
      });
    }
    next();
  };
}

export function callerOf(res: Response): Caller | undefined {
  return res.locals.caller as Caller | undefined;
}

export function requireCaller(res: Response): Caller {
  const caller = callerOf(res);
  if (!caller) throw unauthenticated();
  return caller;
}
