import { FieldViolations } from "@gavel/service";

export const PAGE_MAX = 100;
export const PAGE_DEFAULT = 20;

/** Where an item sits in a list's order: a time in milliseconds, and an id that breaks ties. */
export interface Position {
  at: number;
  id: string;
}

/**
 * A list as clients page through it. The key names the list, whose it is, its filters
 * and its order: a token is only accepted for the key it was made for, since its
 * position would mean nothing in another list (or let one user page through another's).
 */
export interface Listing<T> {
  key: ReadonlyArray<string | number>;
  positionOf(item: T): Position;
  /** Negative when a comes first. */
  compare(a: Position, b: Position): number;
}

/** Most recent first; between equal times, the greater id first. */
export function latestFirst(a: Position, b: Position): number {
  return b.at - a.at || compareIds(b.id, a.id);
}

/** Soonest first; between equal times, the smaller id first. */
export function soonestFirst(a: Position, b: Position): number {
  return a.at - b.at || compareIds(a.id, b.id);
}

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export interface Page<T> {
  items: T[];
  /** Empty on the last page. */
  nextPageToken: string;
  /** Empty on the first page. */
  previousPageToken: string;
}

/**
 * Cursors rather than offsets: a token holds the position of the page's last (or
 * first) item, a direction and the listing's key, as base64url JSON, opaque to clients.
 * Items added or removed between two calls then neither repeat nor go missing.
 */
interface Cursor {
  k: ReadonlyArray<string | number>;
  /** "a": the items after the position; "b": the items before it. */
  d: "a" | "b";
  at: number;
  id: string;
}

/**
 * One page of the items, in the listing's order, at the token's position; undefined
 * when the token is not one made for this listing.
 */
export function pageAt<T, I extends T>(
  listing: Listing<T>,
  items: readonly I[],
  token: string,
  size: number,
): Page<I> | undefined {
  const sorted = items
    .map((item) => ({ item, pos: listing.positionOf(item) }))
    .sort((a, b) => listing.compare(a.pos, b.pos));
  let page: typeof sorted;
  let more: boolean;
  let earlier: boolean;
  if (token === "") {
    page = sorted.slice(0, size);
    more = sorted.length > size;
    earlier = false;
  } else {
    const cursor = decodeCursor(listing.key, token);
    if (!cursor) return undefined;
    if (cursor.d === "a") {
      const after = sorted.filter((s) => listing.compare(s.pos, cursor) > 0);
      page = after.slice(0, size);
      more = after.length > size;
      earlier = after.length < sorted.length;
    } else {
      const before = sorted.filter((s) => listing.compare(s.pos, cursor) < 0);
      page = before.slice(-size);
      more = before.length < sorted.length;
      earlier = before.length > size;
    }
  }
  const first = page[0];
  const last = page.at(-1);
  return {
    items: page.map((s) => s.item),
    nextPageToken: more && last ? encodeCursor({ k: listing.key, d: "a", ...last.pos }) : "",
    previousPageToken:
      earlier && first ? encodeCursor({ k: listing.key, d: "b", ...first.pos }) : "",
  };
}

/** Adds a violation when page_size is out of range; the size to use otherwise. */
export function checkPageSize(v: FieldViolations, pageSize: number): number {
  v.check(pageSize >= 0 && pageSize <= PAGE_MAX, "page_size", `must be 0 to ${PAGE_MAX}`);
  return pageSize || PAGE_DEFAULT;
}

/** What a list request says about paging. */
export interface PageRequest {
  pageSize: number;
  pageToken: string;
}

/**
 * The requested page, or INVALID_ARGUMENT naming page_size when it is out of range, or
 * page_token when the token was made for another listing.
 */
export function pageOrRefuse<T, I extends T>(
  listing: Listing<T>,
  items: readonly I[],
  req: PageRequest,
): Page<I> {
  const v = new FieldViolations();
  const size = checkPageSize(v, req.pageSize);
  v.throwIfAny();
  const page = pageAt(listing, items, req.pageToken, size);
  if (!page) {
    v.add("page_token", "is not a token for this list, caller, filter and order; start again");
    v.throwIfAny();
  }
  return page!;
}

export function encodeCursor(cursor: Cursor): string {
  const { k, d, at, id } = cursor;
  return Buffer.from(JSON.stringify({ k, d, at, id })).toString("base64url");
}

/** The cursor in a token, when the token was made for this key. */
export function decodeCursor(key: Listing<unknown>["key"], token: string): Cursor | undefined {
  let cursor: Partial<Cursor> | null;
  try {
    cursor = JSON.parse(Buffer.from(token, "base64url").toString()) as Partial<Cursor> | null;
  } catch {
    return undefined;
  }
  const valid =
    typeof cursor === "object" &&
    cursor !== null &&
    Array.isArray(cursor.k) &&
    cursor.k.length === key.length &&
    key.every((part, i) => cursor.k![i] === part) &&
    (cursor.d === "a" || cursor.d === "b") &&
    Number.isFinite(cursor.at) &&
    typeof cursor.id === "string";
  return valid ? (cursor as Cursor) : undefined;
}
