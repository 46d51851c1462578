import { GraphQLError } from "graphql";
import { InvalidTokenError, type Caller, type TokenVerifier } from "@gavel/auth";

/**
 * The caller proven by the request's Bearer token, or undefined without one. A present
 * but bad token fails the whole request (401), so a client never silently reads
 * anonymously after its token expired.
 */
export async function callerFrom(
  authorization: string | undefined,
  verifier: TokenVerifier,
): Promise<Caller | undefined> {
  if (authorization === undefined) return undefined;
  const match = /^Bearer ([A-Za-z0-9_.-]+)$/.exec(authorization.trim());
  if (!match?.[1]) throw unauthenticated('the Authorization header must be "Bearer <token>"');
  try {
    return await verifier.verify(match[1]);
  } catch (err) {
    if (err instanceof InvalidTokenError) throw unauthenticated(err.message);
    throw err;
  }
}

export function unauthenticated(message = "sign in first (mutation signIn)"): GraphQLError {
  return new GraphQLError(message, {
    extensions: {
      code: "UNAUTHENTICATED",
      http: { status: 401, headers: new Map([["www-authenticate", 'Bearer realm="gavel"']]) },
    },
  });
}

export function requireCaller(caller: Caller | undefined): Caller {
  if (!caller) throw unauthenticated();
  return caller;
}
