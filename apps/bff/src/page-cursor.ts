import { GraphQLError } from "graphql";

/**
 * Relay cursors over the services' page tokens. A service's token marks a page, not an
 * item, so a cursor is the token a page was read with plus how many of its items lie
 * before the position; the last item of a page that has more gets the service's next
 * token itself. Opaque to clients (base64url JSON).
 */
interface Position {
  /** The service's page token ("" for the first page). */
  t: string;
  /** Items of that page before the position. */
  s: number;
}

/** What to ask the service for to serve `first` items after a cursor. */
export interface PageRequest {
  pageToken: string;
  pageSize: number;
  skip: number;
  first: number;
}

export function pageRequest(
  first: number | null | undefined,
  after: string | null | undefined,
  maxPageSize: number,
): PageRequest {
  const count = first ?? 20;
  if (!Number.isInteger(count) || count < 1 || count > maxPageSize)
    throw badInput(`first must be between 1 and ${maxPageSize}`);
  const at = after ? decode(after) : { t: "", s: 0 };
  return {
    pageToken: at.t,
    skip: at.s,
    first: count,
    pageSize: Math.min(maxPageSize, at.s + count),
  };
}

export interface Connection<T> {
  edges: Array<{ cursor: string; node: T }>;
  pageInfo: {
    hasNextPage: boolean;
    hasPreviousPage: boolean;
    startCursor: string | null;
    endCursor: string | null;
  };
}

/** The edges and page info for a page the service answered `request` with. */
export function connection<T>(
  request: PageRequest,
  items: readonly T[],
  nextPageToken: string,
): Connection<T> {
  const end = Math.min(items.length, request.skip + request.first);
  const edges = items.slice(request.skip, end).map((node, i) => {
    const after = request.skip + i + 1;
    const at: Position =
      after === items.length && nextPageToken
        ? { t: nextPageToken, s: 0 }
        : { t: request.pageToken, s: after };
    return { cursor: encode(at), node };
  });
  return {
    edges,
    pageInfo: {
      hasNextPage: end < items.length || nextPageToken !== "",
      hasPreviousPage: request.skip > 0 || request.pageToken !== "",
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}

function encode(at: Position): string {
  return Buffer.from(JSON.stringify(at)).toString("base64url");
}

function decode(cursor: string): Position {
  try {
    const at = JSON.parse(Buffer.from(cursor, "base64url").toString()) as Partial<Position>;
    if (typeof at.t === "string" && Number.isInteger(at.s) && (at.s ?? -1) >= 0)
      return { t: at.t, s: at.s! };
  } catch {
    // not JSON: answered below like any other foreign string
  }
  throw badInput("after is not a cursor from this connection");
}

function badInput(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: "BAD_USER_INPUT" } });
}
