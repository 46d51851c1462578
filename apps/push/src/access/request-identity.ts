import type { IncomingMessage } from "node:http";
import { InvalidTokenError, type TokenVerifier } from "@gavel/auth";
import { isSafeToken } from "@gavel/nats";
import { SUBPROTOCOL } from "../ws/protocol.ts";
import type { TicketBook, TicketHolder } from "./tickets.ts";
import type { SocketIdentity } from "../ws/ws-session.ts";

/** The subprotocol prefix that carries a token from a browser's WebSocket constructor. */
const BEARER_PROTOCOL = "bearer.";

export class AuthError extends Error {
  override name = "AuthError";
}

/**
 * Who a stream or socket request comes from, by the first credential it carries: an
 * `Authorization: Bearer` header (any client that can set one), a `bearer.<token>`
 * WebSocket subprotocol (a browser's `new WebSocket(url, ["gavel.v1", "bearer." + t])`),
 * or a `ticket` query parameter (EventSource). None is anonymous; a bad one is refused
 * (AuthError), never silently anonymous.
 */
export async function identify(
  req: IncomingMessage,
  url: URL,
  verifier: TokenVerifier,
  tickets: TicketBook,
): Promise<SocketIdentity> {
  const header = req.headers.authorization;
  const fromProtocol = offeredProtocols(req).find((p) => p.startsWith(BEARER_PROTOCOL));
  const token =
    header !== undefined
      ? bearer(header)
      : fromProtocol
        ? fromProtocol.slice(BEARER_PROTOCOL.length)
        : undefined;
  if (token !== undefined) {
    try {
      const caller = await verifier.verify(token);
      if (!isSafeToken(caller.userId)) throw new AuthError("the token's subject is not a user id");
      return { kind: "token", caller };
    } catch (err) {
      if (err instanceof InvalidTokenError) throw new AuthError(err.message);
      throw err;
    }
  }
  const ticket = url.searchParams.get("ticket");
  if (ticket !== null) {
    const holder = tickets.verify(ticket);
    if (!holder) throw new AuthError("the ticket is invalid or expired; get a new one");
    return { kind: "ticket", ...holder };
  }
  return { kind: "anonymous" };
}

/** The subprotocols a WebSocket upgrade offers, in order. */
export function offeredProtocols(req: IncomingMessage): string[] {
  const header = req.headers["sec-websocket-protocol"];
  if (typeof header !== "string") return [];
  return header
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean);
}

export function bearer(header: string): string {
  const match = /^Bearer ([A-Za-z0-9_.-]+)$/.exec(header.trim());
  if (!match?.[1]) throw new AuthError('the Authorization header must be "Bearer <token>"');
  return match[1];
}

/**
 * The user a stream or socket serves and when the credential that opened it expires;
 * undefined for a guest's, which never expires.
 */
export function holderOf(identity: SocketIdentity): TicketHolder | undefined {
  if (identity.kind === "anonymous") return undefined;
  if (identity.kind === "ticket") return identity;
  return { userId: identity.caller.userId, sessionExpiresAtMs: identity.caller.expiresAtMs };
}

export { SUBPROTOCOL };
