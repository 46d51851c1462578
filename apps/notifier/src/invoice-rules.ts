import type { Money } from "@gavel/proto/common/v1/money";
import { InvoiceRole, type Notification } from "@gavel/proto/notification/v1/notifications";
import type { Invoice } from "@gavel/proto/settlement/v1/settlement";
import { notificationOf } from "./notification-rules.ts";

/**
 * What an issued invoice tells users: its buyer what they pay (the buyer's total), its
 * seller what they receive (the payout), both the hammer price. Pure, and deterministic
 * down to the ids (`invoice-<lot>-buyer`, `invoice-<lot>-seller`): a lot has one invoice,
 * so however often and wherever it is handled, JetStream's duplicate detection keeps one
 * notification each.
 */
export function invoiceNotifications(invoice: Invoice): Notification[] {
  return [
    toUser(invoice, invoice.buyerId, InvoiceRole.BUYER, invoice.buyerTotal),
    toUser(invoice, invoice.sellerId, InvoiceRole.SELLER, invoice.sellerPayout),
  ];
}

function toUser(
  invoice: Invoice,
  userId: string,
  role: InvoiceRole.BUYER | InvoiceRole.SELLER,
  amount: Money | undefined,
): Notification {
  const side = role === InvoiceRole.BUYER ? "buyer" : "seller";
  return notificationOf(
    { lotId: invoice.lotId, title: invoice.lotTitle },
    `invoice-${invoice.lotId}-${side}`,
    userId,
    invoice.issuedAt,
    { case: "invoiceReady", value: { role, amount, hammerPrice: invoice.hammerPrice } },
  );
}
