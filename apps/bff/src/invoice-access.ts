import { LotStatus, type Lot } from "@gavel/proto/catalog/v1/catalog";

/**
 * Whether asking settlement for a lot's invoice can answer anything for this viewer:
 * only a lot that closed sold has one, and only its seller and its winner (the
 * invoice's buyer) may read it. Settlement decides again; this only spares the call.
 */
export function mayReadInvoice(
  lot: Pick<Lot, "status" | "winnerId" | "sellerId">,
  viewerId: string | undefined,
): boolean {
  const sold = lot.status === LotStatus.CLOSED && lot.winnerId !== "";
  return sold && viewerId !== undefined && (viewerId === lot.sellerId || viewerId === lot.winnerId);
}
