/**
 * One way of making the bench's logical read (a page of 50 lots with seller and highest
 * bid): which server it goes to, and a client for it. The read table runs every variant
 * the same way, so only the protocol differs.
 */

/**
 * The servers a read can go to; the bench maps each to a port. nginxTls and
 * nginxTlsCached are nginx's TLS listeners in front of the edge, proxying and caching.
 */
export type ReadTarget = "edge" | "edgeTls" | "bff" | "catalog" | "nginxTls" | "nginxTlsCached";

/** The targets reached over TLS. */
export const TLS_TARGETS: ReadonlySet<ReadTarget> = new Set([
  "edgeTls",
  "nginxTls",
  "nginxTlsCached",
]);

/** What one checked read held and how it came. */
export interface Inspection {
  /** The content coding of the body ("identity" when none), or the RPC's message coding. */
  encoding: string;
  /** Body bytes as received (compressed); undefined where the client cannot see them. */
  bodyBytes: number | undefined;
  lots: number;
  /** Lots whose seller came with a display name, not only an id. */
  sellerNames: number;
  /** Lots with a highest bid. */
  highestBids: number;
  /** HTTP requests or calls the read took (1 when absent). */
  requests?: number;
}

export interface Reader {
  /** One read; throws unless it succeeded. */
  read(): Promise<void>;
  /** One read, decoded and counted. */
  inspect(): Promise<Inspection>;
  close(): void;
}

export interface ReadVariant {
  name: string;
  target: ReadTarget;
  /** What the reader should know to compare this row with the others. */
  note: string;
  /** A client of the target at baseUrl (http://127.0.0.1:port, https:// for TLS_TARGETS). */
  open(baseUrl: string): Promise<Reader>;
}

/** The page size every variant asks for. */
export const PAGE_SIZE = 50;
