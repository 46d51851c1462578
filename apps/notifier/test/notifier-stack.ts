import { randomUUID } from "node:crypto";
import { fromBinary } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { jetstream } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { NOTIFICATIONS_STREAM, notifySubject } from "@gavel/nats";
import { BiddingService } from "@gavel/proto/bidding/v1/bidding";
import { CatalogService } from "@gavel/proto/catalog/v1/catalog";
import { NotificationSchema, type Notification } from "@gavel/proto/notification/v1/notifications";
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
    notificationsOf: (userId: string) => notificationsOf(nc, userId),
    async stop() {
      await nc.drain();
      return group.stop();
    },
  };
}

export type NotifierStack = Awaited<ReturnType<typeof startNotifierStack>>;

/** Every notification stored for the user so far, in order, read with an ordered consumer. */
async function notificationsOf(nc: NatsConnection, userId: string): Promise<Notification[]> {
  const consumer = await jetstream(nc).consumers.get(NOTIFICATIONS_STREAM, {
    filter_subjects: [notifySubject(userId)],
  });
  const pending = (await consumer.info()).num_pending;
  if (pending === 0) return [];
  const messages = await consumer.fetch({ max_messages: pending, expires: 5_000 });
  const notifications: Notification[] = [];
  for await (const message of messages)
    notifications.push(fromBinary(NotificationSchema, message.data));
  return notifications;
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
