import { LotOrder, type Lot } from "@gavel/proto/catalog/v1/catalog";
import type { LotQuery } from "./lot-index.ts";
import { compareLots } from "./lot-index.ts";
import { timestampFromMs, timestampMs } from "@bufbuild/protobuf/wkt";
import { create } from "@bufbuild/protobuf";
import { LotSchema } from "@gavel/proto/catalog/v1/catalog";

/**
 * Cursors for lot lists: a position in the sort order (a lot's id and end), a direction,
 * and the filters the cursor was made for. Opaque (base64url JSON) to clients; a token
 * used with other filters is refused, since its position would mean nothing there.
 */
interface Cursor {
  q: [number, string, number];
  /** "a": the lots after the position; "b": the lots before it. */
  d: "a" | "b";
  id: string;
  endsAt: number;
}

export interface LotPage {
  lots: Lot[];
  nextPageToken: string;
  previousPageToken: string;
}

/**
 * One page of the sorted, filtered lots at the token's position; undefined when the
 * token is not one this service made for this query.
 */
export function pageAt(
  query: LotQuery,
  token: string,
  lots: Lot[],
  size: number,
): LotPage | undefined {
  let page: Lot[];
  let more: boolean;
  let earlier: boolean;
  if (token === "") {
    page = lots.slice(0, size);
    more = lots.length > size;
    earlier = false;
  } else {
    const cursor = decode(query, token);
    if (!cursor) return undefined;
    const pivot = create(LotSchema, { id: cursor.id, endsAt: timestampFromMs(cursor.endsAt) });
    const order = query.order === LotOrder.UNSPECIFIED ? LotOrder.NEWEST : query.order;
    if (cursor.d === "a") {
      const after = lots.filter((lot) => compareLots(lot, pivot, order) > 0);
      page = after.slice(0, size);
      more = after.length > size;
      earlier = after.length < lots.length;
    } else {
      const before = lots.filter((lot) => compareLots(lot, pivot, order) < 0);
      page = before.slice(-size);
      more = before.length < lots.length;
      earlier = before.length > size;
    }
  }
  const first = page[0];
  const last = page.at(-1);
  return {
    lots: page,
    nextPageToken: more && last ? encode(query, "a", last) : "",
    previousPageToken: earlier && first ? encode(query, "b", first) : "",
  };
}

function encode(query: LotQuery, direction: Cursor["d"], at: Lot): string {
  const cursor: Cursor = {
    q: [query.status, query.sellerId, query.order],
    d: direction,
    id: at.id,
    endsAt: at.endsAt ? timestampMs(at.endsAt) : 0,
  };
  return Buffer.from(JSON.stringify(cursor)).toString("base64url");
}

function decode(query: LotQuery, token: string): Cursor | undefined {
  let cursor: Cursor;
  try {
    cursor = JSON.parse(Buffer.from(token, "base64url").toString()) as Cursor;
  } catch {
    return undefined;
  }
  const valid =
    Array.isArray(cursor?.q) &&
    cursor.q[0] === query.status &&
    cursor.q[1] === query.sellerId &&
    cursor.q[2] === query.order &&
    (cursor.d === "a" || cursor.d === "b") &&
    typeof cursor.id === "string" &&
    typeof cursor.endsAt === "number";
  return valid ? cursor : undefined;
}
