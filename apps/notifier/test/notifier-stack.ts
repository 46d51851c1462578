import { randomUUID } from "node:crypto";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { timestampFromMs, timestampNow } from "@bufbuild/protobuf/wkt";
import { jetstream } from "@nats-io/jetstream";
import { connect, headers as natsHeaders, type NatsConnection } from "@nats-io/transport-node";
import { invoiceSubject, NOTIFICATIONS_STREAM, notifySubject } from "@gavel/nats";
import { BiddingService } from "@gavel/proto/bidding/v1/bidding";
import { CatalogService } from "@gavel/proto/catalog/v1/catalog";
import { NotificationSchema, type Notification } from "@gavel/proto/notification/v1/notifications";
import { InvoiceReadySchema, InvoiceSchema } from "@gavel/proto/settlement/v1/settlement";
import { authHeader, connectClient, mintToken, serviceEnv, ServiceGroup } from "@gavel/testing";

/** The closing-soon lead the test notifiers run with, in seconds. */
export const CLOSING_SOON_SECONDS = 2;

/**
 * catalog and bidding (lots, watches, bids, closes) and notifier replicas on one real
 * NATS, with a connection of the test's own to read the NOTIFICATIONS stream.
 */
export async function startNotifierStack(natsUrl: string, notifiers = 1) {
  const env = { ...serviceEnv(natsUrl), GAVEL_MIN_LOT_SECONDS: "1" };
  const notifierEnv = { ...env, GAVEL_CLOSING_SOON_SECONDS: String(CLOSING_SOON_SECONDS) };
  const group = new ServiceGroup();
  const catalog = await group.start("catalog", env);
  const bidding = await group.start("bidding", env);
  for (let i = 0; i < notifiers; i++) await group.start("notifier", notifierEnv);
  const nc = await connect({ servers: natsUrl });
  return {
    catalog: connectClient(CatalogService, catalog.rpcUrl),
    bidding: connectClient(BiddingService, bidding.rpcUrl),
    group,
    startNotifier: () => group.start("notifier", notifierEnv),
    notificationsOf: async (userId: string) =>
      (await storedNotificationsOf(nc, userId)).map((s) => s.notification),
    storedNotificationsOf: (userId: string) => storedNotificationsOf(nc, userId),
    issueInvoice: (lotId: string, payload: Uint8Array, traceparent?: string) =>
      issueInvoice(nc, lotId, payload, traceparent),
    async stop() {
      await nc.drain();
      return group.stop();
    },
  };
}

export type NotifierStack = Awaited<ReturnType<typeof startNotifierStack>>;

/**
 * Every notification stored for the user so far, in order, with the trace context its
 * message carries, read with an ordered consumer.
 */
export async function storedNotificationsOf(
  nc: NatsConnection,
  userId: string,
): Promise<Array<{ notification: Notification; traceparent: string | undefined }>> {
  const consumer = await jetstream(nc).consumers.get(NOTIFICATIONS_STREAM, {
    filter_subjects: [notifySubject(userId)],
  });
  const pending = (await consumer.info()).num_pending;
  if (pending === 0) return [];
  const messages = await consumer.fetch({ max_messages: pending, expires: 5_000 });
  const stored = [];
  for await (const message of messages) {
    stored.push({
      notification: fromBinary(NotificationSchema, message.data),
      traceparent: message.headers?.get("traceparent") || undefined,
    });
  }
  return stored;
}

/**
 * A sold lot's InvoiceReady event as the settlement service encodes it: hammer price
 * 1,000.00 EUR, the buyer pays 1,250.00, the seller receives 900.00.
 */
export function invoiceReady(lotId: string) {
  const invoice = create(InvoiceSchema, {
    lotId,
    lotTitle: "A walnut chair",
    buyerId: randomUUID(),
    sellerId: randomUUID(),
    winningBidId: randomUUID(),
    hammerPrice: eur(1_000_00n),
    buyersPremium: eur(250_00n),
    buyerTotal: eur(1_250_00n),
    sellersCommission: eur(100_00n),
    sellerPayout: eur(900_00n),
    closedAt: timestampNow(),
    issuedAt: timestampNow(),
    feeSchedule: "2026-11",
  });
  return {
    invoice,
    payload: toBinary(InvoiceReadySchema, create(InvoiceReadySchema, { invoice })),
  };
}

/**
 * Appends a lot's invoice message to INVOICES as the settlement service does: on
 * gavel.invoice.<lot id>, only while that subject is empty, with the trace context in
 * the headers. Resolves with its stream sequence.
 */
export async function issueInvoice(
  nc: NatsConnection,
  lotId: string,
  payload: Uint8Array,
  traceparent?: string,
): Promise<number> {
  const headers = natsHeaders();
  headers.set("Nats-Expected-Last-Subject-Sequence", "0");
  if (traceparent) headers.set("traceparent", traceparent);
  const ack = await jetstream(nc).publish(invoiceSubject(lotId), payload, { headers });
  return ack.seq;
}

/** A signed-in user: their id and the call options that carry their token. */
export async function user() {
  const id = randomUUID();
  return { id, options: authHeader(await mintToken(id)) };
}

export type User = Awaited<ReturnType<typeof user>>;

export const eur = (amountMinor: bigint) => ({ currencyCode: "EUR", amountMinor });

/** Lists a lot ending after `seconds`, with a 1-second snipe window unless said otherwise. */
export async function listLot(
  stack: NotifierStack,
  seller: User,
  seconds: number,
  options: { reserveMinor?: bigint; snipeWindowSeconds?: number } = {},
) {
  const { lot } = await stack.catalog.createLot(
    {
      lot: {
        title: "A walnut chair",
        startingPrice: eur(10_00n),
        ...(options.reserveMinor ? { reservePrice: eur(options.reserveMinor) } : {}),
        endsAt: timestampFromMs(Date.now() + seconds * 1000),
        snipeWindowSeconds: options.snipeWindowSeconds ?? 1,
      },
    },
    seller.options,
  );
  return lot!;
}

export function bid(stack: NotifierStack, bidder: User, lotId: string, amountMinor: bigint) {
  return stack.bidding.placeBid(
    { lotId, bidId: randomUUID(), amount: eur(amountMinor) },
    bidder.options,
  );
}

/** The kinds of the user's notifications about one lot, in order. */
export async function kindsOf(stack: NotifierStack, userId: string, lotId: string) {
  return (await stack.notificationsOf(userId))
    .filter((n) => n.lotId === lotId)
    .map((n) => n.kind.case);
}
