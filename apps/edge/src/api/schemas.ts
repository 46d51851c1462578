import { z } from "zod";
import { printable } from "./printable-text.ts";

/**
 * The request schemas of /v1: they validate requests and are the OpenAPI document's
 * source, so the two cannot drift. Objects are strict, and each constraint is one the
 * document can state. Why: docs/architecture.md#the-rest-edge-appsedge
 */
export const CURRENCIES = ["EUR", "USD", "GBP", "CHF"] as const;

export const Id = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, "must be an id of 1 to 64 letters, digits, _ or -")
  .meta({ example: "0197a4b2-7c1e-7000-8000-0000000000a1" });

/** The Idempotency-Key header (idempotency.ts). */
export const IdempotencyKey = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, "must be 1 to 64 of A-Z, a-z, 0-9, _ and -")
  .describe(
    "Makes a retry safe: a retry with the same key and body gets the first response again " +
      "(with Idempotent-Replayed: true), the same key with another body 422. Keys are kept " +
      "for a day, per caller, method and path; 5xx answers are not kept",
  );

/** The page tokens the services hand out are base64url; the edge refuses any other shape. */
export const PageCursor = z
  .string()
  .regex(/^[A-Za-z0-9_-]{0,512}$/, "must be a cursor from a next or prev link")
  .describe(
    "Opaque: pass back the value from a previous page's next (or prev) link unchanged. " +
      "Only cursors the API issued for the same list, filter and caller are accepted; " +
      "anything else is a 400. At most 512 characters of A-Z, a-z, 0-9, _ and -",
  );

/**
 * A whole number in a query string, written as JSON writes an integer: "10", not "1e1",
 * "010" or " 10", which a plain number coercion would take though the document's
 * `type: integer` calls them no integer.
 */
const queryInteger = (min: number, max: number, fallback: number) =>
  z.preprocess(
    (v) => (typeof v === "string" && !/^-?(0|[1-9][0-9]*)$/.test(v) ? Number.NaN : v),
    z.coerce
      .number({ error: "must be a whole number, in digits" })
      .int()
      .min(min)
      .max(max)
      .default(fallback),
  );

export const MoneyInput = z.strictObject({
  currency: z.enum(CURRENCIES).describe("ISO 4217 code"),
  amount_minor: z
    .number()
    .int("must be a whole number of minor units (cents)")
    .positive()
    .max(1_000_000_000_000)
    .describe("Amount in minor units: 12345 is 123.45"),
});

export const LotIdParams = z.strictObject({ id: Id });

export const LotListQuery = z.strictObject({
  status: z.enum(["open", "closed", "cancelled"]).optional(),
  seller_id: Id.optional(),
  sort: z.enum(["newest", "ending_soonest"]).default("newest"),
  limit: queryInteger(1, 100, 20),
  cursor: PageCursor.optional(),
});

export const CreateLotBody = z.strictObject({
  title: printable(3, 120),
  description: z.string().max(5000).default(""),
  starting_price: MoneyInput,
  reserve_price: MoneyInput.optional().describe(
    "In the starting price's currency and not below it (else 400); only the seller sees it",
  ),
  ends_at: z.iso
    .datetime({ offset: true })
    .describe(
      "RFC 3339 time between the shortest lot the catalog takes (GAVEL_MIN_LOT_SECONDS, " +
        "60 s by default) and 30 days from now; any other time is refused with 400 naming " +
        "lot.ends_at",
    ),
  snipe_window_seconds: z.number().int().min(0).max(3600).default(0).describe("0 means 120"),
});

export const CancelLotBody = z.strictObject({
  reason: z.string().max(500).default(""),
});

export const PlaceBidBody = z
  .strictObject({
    amount: MoneyInput,
    bid_id: Id.optional().describe(
      "Client-chosen; defaults to the Idempotency-Key, else a new UUID",
    ),
  })
  .describe(
    "The amount is in the lot's currency (else 400) and at least its minimum next bid " +
      "(else 409, whose problem names the minimum)",
  );

export const BidListQuery = z.strictObject({
  limit: queryInteger(1, 200, 50),
  cursor: PageCursor.optional(),
});

export const InvoiceListQuery = z.strictObject({
  role: z
    .enum(["buyer", "seller"])
    .describe("The caller's invoices as buyer (won) or seller (sold)"),
  limit: queryInteger(1, 100, 20),
  cursor: PageCursor.optional(),
});

export const SignUpBody = z.strictObject({
  // The same pattern as z.email(), without its `format: email`, which validators read
  // differently; at most 254 characters, as identity allows.
  email: z
    .string()
    .max(254)
    .regex(z.regexes.email, "must be an email address such as ada@example.com"),
  password: z.string().min(10).max(200),
  display_name: printable(1, 60),
});

export const SignInBody = z.strictObject({
  email: z.string().max(254),
  password: z.string().max(200),
});

export const UserIdParams = z.strictObject({ id: Id });

/** The request schemas the document names in components.schemas, by name. */
export const namedRequestSchemas = {
  Id,
  IdempotencyKey,
  PageCursor,
  MoneyInput,
  CreateLotBody,
  CancelLotBody,
  PlaceBidBody,
  SignUpBody,
  SignInBody,
};
