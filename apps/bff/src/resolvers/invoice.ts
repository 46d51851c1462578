import { timestampDate } from "@bufbuild/protobuf/wkt";
import type { Lot } from "@gavel/proto/catalog/v1/catalog";
import type { Invoice as InvoiceMessage } from "@gavel/proto/settlement/v1/settlement";
import type { InvoiceResolvers } from "../gen/resolvers-types.ts";
import type { GraphQLContext } from "../context.ts";
import { mayReadInvoice } from "../invoice-access.ts";
import { existingUser } from "./user.ts";

export const Invoice: InvoiceResolvers = {
  id: (invoice) => invoice.lotId,
  lot: (invoice, _args, ctx) => ctx.loaders.lots.load(invoice.lotId),
  buyer: (invoice, _args, ctx) => existingUser(ctx, invoice.buyerId),
  seller: (invoice, _args, ctx) => existingUser(ctx, invoice.sellerId),
  hammerPrice: (invoice) => invoice.hammerPrice!,
  buyersPremium: (invoice) => invoice.buyersPremium!,
  buyerTotal: (invoice) => invoice.buyerTotal!,
  sellersCommission: (invoice) => invoice.sellersCommission!,
  sellerPayout: (invoice) => invoice.sellerPayout!,
  closedAt: (invoice) => (invoice.closedAt ? timestampDate(invoice.closedAt) : null),
  issuedAt: (invoice) => (invoice.issuedAt ? timestampDate(invoice.issuedAt) : null),
};

/**
 * A lot's invoice for the viewer, or null: without a call when the viewer cannot be its
 * buyer or seller, and when settlement refuses or has none (see loaders.ts).
 */
export async function invoiceOf(lot: Lot, ctx: GraphQLContext): Promise<InvoiceMessage | null> {
  if (!mayReadInvoice(lot, ctx.caller?.userId)) return null;
  return ctx.loaders.invoices.load(lot.id);
}
