import { fromBinary } from "@bufbuild/protobuf";
import { DeliverPolicy } from "@nats-io/jetstream";
import {
  INVOICES_STREAM,
  INVOICE_SUBJECT_WILDCARD,
  INVOICE_SUBJECT_TEMPLATE,
  NOTIFIER_INVOICES_CONSUMER,
  invoiceSubject,
  isSafeToken,
  Unprocessable,
  type DurableWork,
} from "@gavel/nats";
import { InvoiceReadySchema, type Invoice } from "@gavel/proto/settlement/v1/settlement";
import { invoiceNotifications } from "./invoice-rules.ts";
import type { NotificationPublisher } from "./notification-publisher.ts";

export interface InvoiceDeps {
  publisher: Pick<NotificationPublisher, "publish">;
}

/**
 * Every issued invoice (the one InvoiceReady message of gavel.invoice.<lot id>), once
 * across the notifier's replicas (NOTIFIER_INVOICES_CONSUMER): its buyer and its seller
 * hear it is ready. A consumer created for the first time starts at the stream's first
 * invoice, unlike the lot events' one: there is one per sold lot, each is told only here,
 * and the settlement service may issue some before the notifier's first start.
 */
export function invoiceWork(deps: InvoiceDeps): DurableWork {
  return {
    stream: INVOICES_STREAM,
    consumer: NOTIFIER_INVOICES_CONSUMER,
    filterSubject: INVOICE_SUBJECT_WILDCARD,
    subjectTemplate: INVOICE_SUBJECT_TEMPLATE,
    deliverPolicy: DeliverPolicy.All,
    async handle(message) {
      await deps.publisher.publish(invoiceNotifications(decode(message.subject, message.data)));
    },
  };
}

/** The invoice a message carries, which must be the one of the lot its subject names. */
function decode(subject: string, data: Uint8Array): Invoice {
  let invoice: Invoice | undefined;
  try {
    invoice = fromBinary(InvoiceReadySchema, data).invoice;
  } catch (err) {
    throw new Unprocessable("not an InvoiceReady event", { cause: err });
  }
  if (!invoice) throw new Unprocessable("an InvoiceReady event without its invoice");
  if (!isSafeToken(invoice.lotId) || invoiceSubject(invoice.lotId) !== subject)
    throw new Unprocessable(`the invoice of lot ${JSON.stringify(invoice.lotId)} on ${subject}`);
  return invoice;
}
