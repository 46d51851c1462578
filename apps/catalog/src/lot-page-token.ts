import { LotOrder, type Lot } from "@gavel/proto/catalog/v1/catalog";
import type { LotQuery } from "./lot-index.ts";
import { compareLots } from "./lot-index.ts";
import { timestampFromMs, timestampMs } from "@bufbuild/protobuf/wkt";
import { create } from "@bufbuild/protobuf";
import { LotSchema } from "@gavel/proto/catalog/v1/catalog";

/**
 * Cursor for lot lists: the position of the last lot of a page in the sort order, and
 * the filters it was made for. Opaque (base64url JSON) to clients; using a token with
 * other filters is refused, since its position would mean nothing there.
 */
interface Cursor {
  q: [number, string, number];
  id: string;
  endsAt: number;
}

export function encodeLotPageToken(query: LotQuery, last: Lot): string {
  const cursor: Cursor = {
    q: [query.status, query.sellerId, query.order],
    id: last.id,
    endsAt: last.endsAt ? timestampMs(last.endsAt) : 0,
  };
  return Buffer.from(JSON.stringify(cursor)).toString("base64url");
}

/** The lots after the token's position; undefined when the token is not valid for this query. */
export function afterToken(query: LotQuery, token: string, lots: Lot[]): Lot[] | undefined {
  if (token === "") return lots;
  let cursor: Cursor;
  try {
    cursor = JSON.parse(Buffer.from(token, "base64url").toString()) as Cursor;
  } catch {
    return undefined;
  }
  if (
    !Array.isArray(cursor?.q) ||
    cursor.q[0] !== query.status ||
    cursor.q[1] !== query.sellerId ||
    cursor.q[2] !== query.order ||
    typeof cursor.id !== "string" ||
    typeof cursor.endsAt !== "number"
  ) {
    return undefined;
  }
  const pivot = create(LotSchema, { id: cursor.id, endsAt: timestampFromMs(cursor.endsAt) });
  const order = query.order === LotOrder.UNSPECIFIED ? LotOrder.NEWEST : query.order;
  return lots.filter((lot) => compareLots(lot, pivot, order) > 0);
}
