import { createHmac, timingSafeEqual } from "node:crypto";

/** What a valid ticket says: whose it is, and when the token it was issued for expires. */
export interface TicketHolder {
  userId: string;
  /** A stream or socket opened with the ticket ends here, as its token would have. */
  sessionExpiresAtMs: number;
}

/**
 * Short-lived stream tickets, what a browser puts in an EventSource or WebSocket URL since
 * neither can send an Authorization header: HMAC-signed with a secret every push replica
 * shares, a ticket opens a stream for seconds only, to read, never to bid:
 * docs/architecture.md#stream-tickets
 */
export class TicketBook {
  readonly #secret: string;
  readonly #ttlMs: number;

  constructor(secret: string, ttlSeconds: number) {
    this.#secret = secret;
    this.#ttlMs = ttlSeconds * 1000;
  }

  issue(holder: TicketHolder, now = Date.now()): { ticket: string; expiresAt: Date } {
    const expires = Math.min(now + this.#ttlMs, holder.sessionExpiresAtMs);
    const body = `${holder.userId}.${expires.toString(36)}.${holder.sessionExpiresAtMs.toString(36)}`;
    return { ticket: `${body}.${this.#sign(body)}`, expiresAt: new Date(expires) };
  }

  /** Whose a ticket is; undefined when it is forged, malformed or expired. */
  verify(ticket: string, now = Date.now()): TicketHolder | undefined {
    const parts = ticket.split(".");
    if (parts.length !== 4) return undefined;
    const [userId, expires, sessionExpires, signature] = parts as [string, string, string, string];
    const expected = Buffer.from(this.#sign(`${userId}.${expires}.${sessionExpires}`));
    const given = Buffer.from(signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    if (parseInt(expires, 36) <= now) return undefined;
    return { userId, sessionExpiresAtMs: parseInt(sessionExpires, 36) };
  }

  #sign(body: string): string {
    return createHmac("sha256", this.#secret).update(body).digest("base64url");
  }
}
