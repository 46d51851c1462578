import fc from "fast-check";
import type { DocumentedOperation } from "./request-document.ts";
import type { Fixtures } from "./request-fixtures.ts";
import { NDJSON, type Adjust, type GeneratedRequest } from "./request-generation.ts";

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/**
 * What a valid request needs that the document cannot say, applied after generation:
 * ids of things that exist (sometimes; a generated id stays, to be a 404), an ends_at
 * within the catalog's window (GAVEL_MIN_LOT_SECONDS to 30 days ahead; 2 min to 29 days), a
 * reserve in the starting price's currency and not below it, a bid in its lot's currency,
 * and page cursors the edge issued, with the listing they were issued for.
 */
export function adjustments(fixtures: Fixtures): Adjust {
  const lotIds = fixtures.lots.map((l) => l.id);
  const userIds = fixtures.clients.map((c) => c.userId);
  return (op, request) =>
    fc
      .tuple(
        pathId(op, request, lotIds, userIds, fixtures.soldLotId),
        fc.integer({ min: 2 * MINUTE_MS, max: 29 * DAY_MS }),
        fc.nat(),
      )
      .map(([id, endsIn, pick]) => {
        const lot = fixtures.lots.find((l) => l.id === id);
        const body = adjustBody(op, request.body, endsIn, lot?.currency);
        const query = adjustCursor(op, request.query, fixtures, pick);
        return {
          ...request,
          ...(id === undefined ? {} : { path: { ...request.path, id } }),
          query,
          body,
        };
      });
}

/** The generated id (a 404), or an existing lot's or user's. */
function pathId(
  op: DocumentedOperation,
  request: GeneratedRequest,
  lotIds: string[],
  userIds: string[],
  soldLotId: string,
): fc.Arbitrary<unknown> {
  const generated = fc.constant(request.path.id);
  if (request.path.id === undefined) return generated;
  const existing = op.path.startsWith("/v1/users/")
    ? userIds
    : op.path.endsWith("/invoice")
      ? [...lotIds.slice(0, 2), soldLotId]
      : [...lotIds, soldLotId];
  return fc.oneof(
    { arbitrary: generated, weight: 1 },
    { arbitrary: fc.constantFrom(...existing), weight: 3 },
  );
}

function adjustBody(
  op: DocumentedOperation,
  body: unknown,
  endsIn: number,
  lotCurrency?: string,
): unknown {
  if (op.body?.mediaType === NDJSON)
    return (body as unknown[]).map((line) => adjustFields(line, endsIn));
  const adjusted = adjustFields(body, endsIn);
  const amount = field(adjusted, "amount");
  if (lotCurrency && amount && op.path.endsWith("/bids"))
    return { ...(adjusted as object), amount: { ...amount, currency: lotCurrency } };
  return adjusted;
}

function adjustFields(value: unknown, endsIn: number): unknown {
  if (typeof value !== "object" || value === null) return value;
  const fields = { ...(value as Record<string, unknown>) };
  if (typeof fields.ends_at === "string")
    fields.ends_at = new Date(Date.now() + endsIn).toISOString();
  const start = field(fields, "starting_price");
  const reserve = field(fields, "reserve_price");
  if (start && reserve)
    fields.reserve_price = {
      ...reserve,
      currency: start.currency,
      amount_minor: Math.max(Number(reserve.amount_minor), Number(start.amount_minor)),
    };
  return fields;
}

/** A cursor only as the edge issued it, with the rest of that listing's query. */
function adjustCursor(
  op: DocumentedOperation,
  query: Record<string, unknown>,
  fixtures: Fixtures,
  pick: number,
): Record<string, unknown> {
  if (query.cursor === undefined) return query;
  const { cursor: _generated, ...rest } = query;
  if (op.path === "/v1/lots") {
    const page = fixtures.lotPages[pick % fixtures.lotPages.length]!;
    const { status: _s, seller_id: _id, sort: _o, ...others } = rest;
    return { ...others, ...page };
  }
  if (op.path.endsWith("/bids"))
    return { ...rest, cursor: fixtures.bidCursors[pick % fixtures.bidCursors.length] };
  return rest; // no real cursor to use: the page is asked without one
}

function field(value: unknown, name: string): Record<string, unknown> | undefined {
  const v = (value as Record<string, unknown> | undefined)?.[name];
  return typeof v === "object" && v !== null ? (v as Record<string, unknown>) : undefined;
}
