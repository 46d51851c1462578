import { formatMoney, fromProto, type ProtoMoney } from "./money.ts";
import type { NotificationEvent } from "./notification-stream.ts";

/** What a notification's toast says, and whether it is urgent. */
export function notificationText({ type, data }: NotificationEvent): {
  text: string;
  kind: "info" | "alert";
} {
  const title = data.lotTitle || "a lot";
  const money = (m?: ProtoMoney) => (m ? formatMoney(fromProto(m)) : "");
  const invoice = data.invoiceReady;
  const text = {
    outbid: `You were outbid on ${title}: the highest bid is now ${money(data.outbid?.highestBid)}.`,
    won: `You won ${title} for ${money(data.won?.hammerPrice)}.`,
    sold: `${title} sold for ${money(data.sold?.hammerPrice)}.`,
    unsold: `${title} closed without a sale.`,
    closing_soon: `${title} closes soon.`,
    invoice_ready: `Invoice ready for ${title}: you ${
      invoice?.role === "INVOICE_ROLE_SELLER" ? "receive" : "pay"
    } ${money(invoice?.amount)}.`,
  }[type];
  return { text, kind: type === "outbid" ? "alert" : "info" };
}
