import { describe, expect, it } from "vitest";
import type { Notification, NotificationEvent } from "./notification-stream.ts";
import { notificationText } from "./notification-text.ts";

const eur = (amountMinor: string) => ({ currencyCode: "EUR", amountMinor });
const event = (type: NotificationEvent["type"], data: Partial<Notification>) => ({
  type,
  seq: 1,
  data: { id: "n-1", lotId: "lot-1", lotTitle: "A walnut chair", ...data },
});

describe("notificationText", () => {
  it("tells the buyer of an invoice what they pay", () => {
    const ready = {
      role: "INVOICE_ROLE_BUYER",
      amount: eur("125000"),
      hammerPrice: eur("100000"),
    } as const;
    expect(notificationText(event("invoice_ready", { invoiceReady: ready }))).toEqual({
      text: "Invoice ready for A walnut chair: you pay 1,250.00 EUR.",
      kind: "info",
    });
  });

  it("tells the seller of an invoice what they receive", () => {
    const ready = {
      role: "INVOICE_ROLE_SELLER",
      amount: eur("90000"),
      hammerPrice: eur("100000"),
    } as const;
    expect(notificationText(event("invoice_ready", { invoiceReady: ready })).text).toBe(
      "Invoice ready for A walnut chair: you receive 900.00 EUR.",
    );
  });

  it("says the rest as before, with outbid the only urgent one", () => {
    const texts = [
      event("outbid", { outbid: { highestBid: eur("15000") } }),
      event("won", { won: { hammerPrice: eur("2000") } }),
      event("sold", { sold: { hammerPrice: eur("2000") } }),
      event("unsold", { unsold: { hadBids: false } }),
      event("closing_soon", { closingSoon: {} }),
    ].map(notificationText);
    expect(texts).toEqual([
      {
        text: "You were outbid on A walnut chair: the highest bid is now 150.00 EUR.",
        kind: "alert",
      },
      { text: "You won A walnut chair for 20.00 EUR.", kind: "info" },
      { text: "A walnut chair sold for 20.00 EUR.", kind: "info" },
      { text: "A walnut chair closed without a sale.", kind: "info" },
      { text: "A walnut chair closes soon.", kind: "info" },
    ]);
  });

  it("names a lot without a title as such", () => {
    expect(notificationText(event("unsold", { lotTitle: "" })).text).toBe(
      "a lot closed without a sale.",
    );
  });
});
