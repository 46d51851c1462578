import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * Short-lived stream tickets: what a browser puts in an EventSource or WebSocket URL, as
 * neither API can send an Authorization header. A ticket names a user and an expiry,
 * signed with a secret every push replica shares (HMAC-SHA256); it lasts seconds, so one
 * that leaks into a log is useless soon after. It authorizes reading a stream, nothing
 * more: a socket opened with a ticket cannot place bids until it sends a token.
 */
export class TicketBook {
  readonly #secret: string;
  readonly #ttlMs: number;

  constructor(secret: string, ttlSeconds: number) {
    this.#secret = secret;
    this.#ttlMs = ttlSeconds * 1000;
  }

  issue(userId: string, now = Date.now()): { ticket: string; expiresAt: Date } {
    const expires = now + this.#ttlMs;
    const body = `${userId}.${expires.toString(36)}`;
    return { ticket: `${body}.${this.#sign(body)}`, expiresAt: new Date(expires) };
  }

  /** The user a ticket was issued to; undefined when it is forged, malformed or expired. */
  verify(ticket: string, now = Date.now()): string | undefined {
    const parts = ticket.split(".");
    if (parts.length !== 3) return undefined;
    const [userId, expires, signature] = parts as [string, string, string];
    const expected = Buffer.from(this.#sign(`${userId}.${expires}`));
    const given = Buffer.from(signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    return parseInt(expires, 36) > now ? userId : undefined;
  }

  #sign(body: string): string {
    return createHmac("sha256", this.#secret).update(body).digest("base64url");
  }
}
