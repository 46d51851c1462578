import { describe, expect, it } from "vitest";
import { TicketBook } from "./tickets.ts";

const book = new TicketBook("a-secret-of-the-replicas", 30);
const holder = { userId: "u-1", sessionExpiresAtMs: 1_000_000 };

describe("stream tickets", () => {
  it("name their user and the expiry of the token they were issued for", () => {
    const { ticket, expiresAt } = book.issue(holder, 0);
    expect(expiresAt.getTime()).toBe(30_000);
    expect(book.verify(ticket, 29_999)).toEqual(holder);
    expect(book.verify(ticket, 30_000)).toBeUndefined();
  });

  it("never outlive the token they were issued for", () => {
    const { ticket, expiresAt } = book.issue(holder, 990_000);
    expect(expiresAt.getTime()).toBe(1_000_000);
    expect(book.verify(ticket, 999_999)).toEqual(holder);
    expect(book.verify(ticket, 1_000_000)).toBeUndefined();
  });

  it("refuse a changed part, another replica set's secret and the old three-part form", () => {
    const { ticket } = book.issue(holder, 0);
    const [user, expires, session, signature] = ticket.split(".") as [
      string,
      string,
      string,
      string,
    ];
    const later = (Number.parseInt(session, 36) * 10).toString(36);
    expect(book.verify([user, expires, later, signature].join("."), 1)).toBeUndefined();
    expect(book.verify(["u-2", expires, session, signature].join("."), 1)).toBeUndefined();
    expect(book.verify(`${ticket.slice(0, -2)}xx`, 1)).toBeUndefined();
    expect(new TicketBook("another-secret", 30).verify(ticket, 1)).toBeUndefined();
    expect(book.verify([user, expires, signature].join("."), 1)).toBeUndefined();
    expect(book.verify("", 1)).toBeUndefined();
  });
});
