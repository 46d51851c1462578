import {
  Code,
  ConnectError,
  createContextKey,
  type HandlerContext,
  type Interceptor,
} from "@connectrpc/connect";
import { InvalidTokenError, type Caller, type TokenVerifier } from "./tokens.ts";

/** The verified caller of the current call; undefined when the call carried no token. */
export const callerKey = createContextKey<Caller | undefined>(undefined, {
  description: "verified caller",
});

/**
 * A server interceptor that verifies the Bearer token of every call that has one.
 * A bad token fails the call even where a token is optional, so a client never
 * silently acts anonymously after its token expired.
 */
export function authInterceptor(verifier: TokenVerifier): Interceptor {
  return (next) => async (req) => {
    const header = req.header.get("authorization");
    if (header !== null) {
      const match = /^Bearer ([A-Za-z0-9_.-]+)$/.exec(header.trim());
      if (!match?.[1]) {
        throw new ConnectError(
          'authorization header must be "Bearer <token>"',
          Code.Unauthenticated,
        );
      }
      try {
        req.contextValues.set(callerKey, await verifier.verify(match[1]));
      } catch (err) {
        if (err instanceof InvalidTokenError)
          throw new ConnectError(err.message, Code.Unauthenticated);
        throw err;
      }
    }
    return next(req);
  };
}

/** The verified caller, or UNAUTHENTICATED for a call that needs one. */
export function requireCaller(ctx: HandlerContext): Caller {
  const caller = ctx.values.get(callerKey);
  if (!caller) {
    throw new ConnectError(
      "sign in first: this call needs an Authorization: Bearer token",
      Code.Unauthenticated,
    );
  }
  return caller;
}

export function optionalCaller(ctx: HandlerContext): Caller | undefined {
  return ctx.values.get(callerKey);
}
