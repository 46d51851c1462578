import { create } from "@bufbuild/protobuf";
import { timestampDate, timestampFromDate } from "@bufbuild/protobuf/wkt";
import { InvoiceRole } from "@gavel/proto/notification/v1/notifications";
import { InvoiceSchema } from "@gavel/proto/settlement/v1/settlement";
import { describe, expect, it } from "vitest";
import { invoiceNotifications } from "./invoice-rules.ts";

const ISSUED = new Date("2026-11-26T12:00:05Z");
const eur = (amountMinor: bigint) => ({ currencyCode: "EUR", amountMinor });

/** A sold lot's invoice: hammer 1,000.00, premium 250.00, commission 100.00. */
const invoice = create(InvoiceSchema, {
  lotId: "lot-1",
  lotTitle: "A walnut chair",
  buyerId: "bob",
  sellerId: "sam",
  winningBidId: "bid-9",
  hammerPrice: eur(1_000_00n),
  buyersPremium: eur(250_00n),
  buyerTotal: eur(1_250_00n),
  sellersCommission: eur(100_00n),
  sellerPayout: eur(900_00n),
  closedAt: timestampFromDate(new Date("2026-11-26T12:00:00Z")),
  issuedAt: timestampFromDate(ISSUED),
  feeSchedule: "2026-11",
});

describe("an issued invoice", () => {
  it.each([
    {
      side: "buyer",
      gets: "what they pay",
      userId: "bob",
      role: InvoiceRole.BUYER,
      amount: 1_250_00n,
    },
    {
      side: "seller",
      gets: "what they receive",
      userId: "sam",
      role: InvoiceRole.SELLER,
      amount: 900_00n,
    },
  ])(
    "tells the $side it is ready, with $gets and the hammer price",
    ({ side, userId, role, amount }) => {
      const told = invoiceNotifications(invoice).find((n) => n.userId === userId);
      expect(told).toMatchObject({
        id: `invoice-lot-1-${side}`,
        lotId: "lot-1",
        lotTitle: "A walnut chair",
        kind: {
          case: "invoiceReady",
          value: { role, amount: eur(amount), hammerPrice: eur(1_000_00n) },
        },
      });
      expect(timestampDate(told!.occurredAt!)).toEqual(ISSUED);
    },
  );

  it("tells nobody else", () => {
    expect(invoiceNotifications(invoice).map((n) => n.userId)).toEqual(["bob", "sam"]);
  });

  it("gives the same notifications, ids included, however often it is decided", () => {
    expect(invoiceNotifications(invoice)).toEqual(invoiceNotifications(invoice));
  });

  it("gives each lot's invoice its own ids", () => {
    const other = create(InvoiceSchema, { ...invoice, lotId: "lot-2" });
    expect(invoiceNotifications(other).map((n) => n.id)).toEqual([
      "invoice-lot-2-buyer",
      "invoice-lot-2-seller",
    ]);
  });

  it("leaves the time out when the invoice has none, rather than making one up", () => {
    const undated = create(InvoiceSchema, { ...invoice, issuedAt: undefined });
    for (const n of invoiceNotifications(undated)) expect(n.occurredAt).toBeUndefined();
  });
});
