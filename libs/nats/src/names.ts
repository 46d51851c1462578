/**
 * The one table of NATS names Gavel uses: streams, subjects, KV buckets, consumers.
 * Ids that become subject tokens are validated before they get here (see isSafeToken).
 * Its string constants are generated into Go (apps/settlement/gen/names) by
 * `npm run generate`.
 */

/** Every lot's events; one subject per lot. */
export const LOT_EVENTS_STREAM = "LOT_EVENTS";
export const LOT_SUBJECT_PREFIX = "gavel.lot";
export const LOT_SUBJECT_WILDCARD = `${LOT_SUBJECT_PREFIX}.*`;
/** The lot subject without its id, for span names (which must not be unique per lot). */
export const LOT_SUBJECT_TEMPLATE = `${LOT_SUBJECT_PREFIX}.{lot_id}`;

export function lotSubject(lotId: string): string {
  if (!isSafeToken(lotId)) throw new Error(`not a safe subject token: ${JSON.stringify(lotId)}`);
  return `${LOT_SUBJECT_PREFIX}.${lotId}`;
}

export function lotIdFromSubject(subject: string): string {
  return subject.slice(LOT_SUBJECT_PREFIX.length + 1);
}

/** The catalog's read model of lots, keyed by lot id. */
export const CATALOG_LOTS_BUCKET = "catalog_lots";
/** CreateLot request ids (idempotency keys) to the lot they created. */
export const CATALOG_REQUESTS_BUCKET = "catalog_requests";
/** The durable consumer that keeps CATALOG_LOTS_BUCKET up to date with the events. */
export const CATALOG_PROJECTOR_CONSUMER = "catalog-projector";
/**
 * Who watches which lot: keyed by watchKey(), the value is when the watch began
 * (decimal milliseconds since the epoch). Lot first, so one lot's watchers share a
 * key prefix.
 */
export const CATALOG_WATCHES_BUCKET = "catalog_watches";
/**
 * Each user's part in each lot they bid on (a gavel.catalog.v1.BidderRecord), keyed by
 * bidderKey(). User first, so one user's lots share a key prefix.
 */
export const CATALOG_BIDDERS_BUCKET = "catalog_bidders";

export function watchKey(lotId: string, userId: string): string {
  return pairKey(lotId, userId);
}

export function bidderKey(userId: string, lotId: string): string {
  return pairKey(userId, lotId);
}

/** The two tokens of a key made by watchKey() or bidderKey(); undefined for any other. */
export function keyPair(key: string): [string, string] | undefined {
  const [first, second, ...rest] = key.split(".");
  if (first === undefined || second === undefined || rest.length > 0) return undefined;
  return isSafeToken(first) && isSafeToken(second) ? [first, second] : undefined;
}

function pairKey(first: string, second: string): string {
  for (const token of [first, second])
    if (!isSafeToken(token)) throw new Error(`not a safe key token: ${JSON.stringify(token)}`);
  return `${first}.${second}`;
}

/**
 * The edge's rate-limit counters: a JetStream counter stream (atomic `Nats-Incr`
 * increments), one subject per limit, client and fixed window.
 */
export const EDGE_RATE_LIMIT_SUBJECT_PREFIX = "gavel.ratelimit";

/**
 * One counter stream per window length: its counters expire on its own schedule, and
 * edges configured with different windows (during a rollout) never fight over one
 * stream's settings. Subjects: `gavel.ratelimit.w<seconds>.<counter key>`.
 */
export function edgeRateLimits(windowSeconds: number): { stream: string; subjectPrefix: string } {
  return {
    stream: `EDGE_RATE_LIMITS_${windowSeconds}S`,
    subjectPrefix: `${EDGE_RATE_LIMIT_SUBJECT_PREFIX}.w${windowSeconds}`,
  };
}
/** The edge's record of each Idempotency-Key: in progress, then the response to replay. */
export const EDGE_IDEMPOTENCY_BUCKET = "edge_idempotency";

/** Users by id. */
export const IDENTITY_USERS_BUCKET = "identity_users";
/** sha256(lower-cased email) to user id; its create-only writes keep emails unique. */
export const IDENTITY_EMAILS_BUCKET = "identity_emails";

/**
 * Whether a string can be one token of a subject or a KV key: no dots, wildcards,
 * spaces or control characters, so a client-supplied id can never widen a
 * subscription or address another subject.
 */
export function isSafeToken(value: string): boolean {
  return /^[A-Za-z0-9_-]{1,64}$/.test(value);
}

/**
 * The BFF's automatic persisted queries: sha256 of a query to its text, shared by every
 * BFF replica so a hash registered at one is known at all (content-addressed: never stale).
 */
export const BFF_PERSISTED_QUERIES_BUCKET = "bff_persisted_queries";

/**
 * Users' notifications (outbid, won, sold, closing soon): one subject per user, written
 * by the notifier with Nats-Msg-Id set to the notification's id, read by the push gateway.
 */
export const NOTIFICATIONS_STREAM = "NOTIFICATIONS";
export const NOTIFY_SUBJECT_PREFIX = "gavel.notify";
export const NOTIFY_SUBJECT_WILDCARD = `${NOTIFY_SUBJECT_PREFIX}.*`;
export const NOTIFY_SUBJECT_TEMPLATE = `${NOTIFY_SUBJECT_PREFIX}.{user_id}`;

export function notifySubject(userId: string): string {
  if (!isSafeToken(userId)) throw new Error(`not a safe subject token: ${JSON.stringify(userId)}`);
  return `${NOTIFY_SUBJECT_PREFIX}.${userId}`;
}

/**
 * Invoices, issued by the settlement service (apps/settlement, Go, which reads these names
 * from gen/names, generated from this file): one subject per sold lot, gavel.invoice.<lot id>,
 * whose one message is the InvoiceReady event, appended only while the subject is empty.
 */
export const INVOICES_STREAM = "INVOICES";
export const INVOICE_SUBJECT_PREFIX = "gavel.invoice";
export const INVOICE_SUBJECT_WILDCARD = `${INVOICE_SUBJECT_PREFIX}.*`;
export const INVOICE_SUBJECT_TEMPLATE = `${INVOICE_SUBJECT_PREFIX}.{lot_id}`;
/** The settlement service's durable consumer of LOT_EVENTS, shared by its replicas. */
export const SETTLEMENT_CONSUMER = "settlement";
/** The notifier's durable consumer of INVOICES (invoice ready: tell buyer and seller). */
export const NOTIFIER_INVOICES_CONSUMER = "notifier-invoices";

export function invoiceSubject(lotId: string): string {
  return tokenSubject(INVOICE_SUBJECT_PREFIX, lotId);
}

/** The notifier's durable consumer of LOT_EVENTS, shared by its replicas. */
export const NOTIFIER_CONSUMER = "notifier";

/**
 * The notifier's closing-soon timers, as JetStream message schedules (nats-server 2.12+):
 * one schedule per lot on `gavel.notifier.closing-soon.at.<lot id>`, replaced when it is
 * set again, which the server turns into a message on
 * `gavel.notifier.closing-soon.due.<lot id>` at its time.
 */
export const NOTIFIER_SCHEDULES_STREAM = "NOTIFIER_SCHEDULES";
export const CLOSING_SOON_AT_PREFIX = "gavel.notifier.closing-soon.at";
export const CLOSING_SOON_AT_WILDCARD = `${CLOSING_SOON_AT_PREFIX}.*`;
export const CLOSING_SOON_DUE_PREFIX = "gavel.notifier.closing-soon.due";
export const CLOSING_SOON_DUE_WILDCARD = `${CLOSING_SOON_DUE_PREFIX}.*`;
export const CLOSING_SOON_DUE_TEMPLATE = `${CLOSING_SOON_DUE_PREFIX}.{lot_id}`;
/** The notifier's durable consumer of due closing-soon timers, shared by its replicas. */
export const NOTIFIER_CLOSING_SOON_CONSUMER = "notifier-closing-soon";

export function closingSoonAtSubject(lotId: string): string {
  return tokenSubject(CLOSING_SOON_AT_PREFIX, lotId);
}

export function closingSoonDueSubject(lotId: string): string {
  return tokenSubject(CLOSING_SOON_DUE_PREFIX, lotId);
}

export function lotIdFromDueSubject(subject: string): string {
  return subject.slice(CLOSING_SOON_DUE_PREFIX.length + 1);
}

function tokenSubject(prefix: string, token: string): string {
  if (!isSafeToken(token)) throw new Error(`not a safe subject token: ${JSON.stringify(token)}`);
  return `${prefix}.${token}`;
}

/**
 * Presence, renewed by each live push replica and expiring with it:
 * `user.<user id>.<replica id>` and `lot.<lot id>.<replica id>`, each the number of that
 * replica's connections for the user or listening to the lot.
 */
export const PUSH_PRESENCE_BUCKET = "push_presence";
