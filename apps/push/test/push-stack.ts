import { randomUUID } from "node:crypto";
import { create, toBinary } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { jetstream } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { lotSubject } from "@gavel/nats";
import { BiddingService } from "@gavel/proto/bidding/v1/bidding";
import { CatalogService, LotDraftSchema } from "@gavel/proto/catalog/v1/catalog";
import { LotEventSchema } from "@gavel/proto/lot/v1/lot_events";
import {
  authHeader,
  connectClient,
  mintToken,
  serviceEnv,
  ServiceGroup,
  startService,
  syntheticBid,
  type ServiceProcess,
} from "@gavel/testing";

/**
 * How replicas a and b follow channels (GAVEL_PUSH_FEEDS). The tests of the feeds run one
 * of each, so every case that crosses replicas covers both modes without a second stack.
 */
export const BOTH_FEED_MODES = ["per-channel", "shared"] as const;

/**
 * catalog, bidding and two push replicas, all real processes on one real NATS.
 * `options.env` goes to every one of them (an OTLP receiver's variables, say).
 */
export async function startPushStack(
  natsUrl: string,
  pushEnv: Record<string, string> = {},
  feeds: readonly [a: string, b: string] = ["per-channel", "per-channel"],
  options: { inspectFirst?: boolean; env?: Record<string, string> } = {},
) {
  const group = new ServiceGroup();
  const env = { ...serviceEnv(natsUrl), ...options.env, GAVEL_MIN_LOT_SECONDS: "1" };
  const [catalog, bidding] = await Promise.all([
    group.start("catalog", env),
    group.start("bidding", env),
  ]);
  const pushEnvFull = {
    ...env,
    GAVEL_BIDDING_URL: bidding.rpcUrl,
    GAVEL_CORS_ORIGINS: "http://localhost:8080",
    GAVEL_PUSH_PRESENCE_RENEW_MS: "500",
    ...pushEnv,
  };
  const replicas = [
    await group.start(
      "push",
      { ...pushEnvFull, GAVEL_PUSH_FEEDS: feeds[0], GAVEL_REPLICA_ID: "push-a" },
      { inspect: options.inspectFirst },
    ),
    await group.start("push", {
      ...pushEnvFull,
      GAVEL_PUSH_FEEDS: feeds[1],
      GAVEL_REPLICA_ID: "push-b",
    }),
  ];
  const catalogClient = connectClient(CatalogService, catalog.rpcUrl);
  const biddingClient = connectClient(BiddingService, bidding.rpcUrl);
  return {
    natsUrl,
    replicas,
    pushEnv: pushEnvFull,
    /** Starts one more push replica (after a kill, say); stopped with the stack. */
    async startReplica(id: string, extraEnv: Record<string, string> = {}): Promise<ServiceProcess> {
      const started = await startService("push", {
        ...pushEnvFull,
        ...extraEnv,
        GAVEL_REPLICA_ID: id,
      });
      group.processes.push(started);
      return started;
    },
    async newLot(sellerId = randomUUID(), minutes = 60): Promise<string> {
      const { lot } = await catalogClient.createLot(
        {
          lot: create(LotDraftSchema, {
            title: "A lot on the push feed",
            startingPrice: { currencyCode: "EUR", amountMinor: 1000n },
            endsAt: timestampFromMs(Date.now() + minutes * 60_000),
          }),
        },
        authHeader(await mintToken(sellerId)),
      );
      return lot!.id;
    },
    /** Places a bid as the user; resolves with its stream sequence. */
    async bid(lotId: string, userId: string, amountMinor: bigint): Promise<number> {
      const { bid } = await biddingClient.placeBid(
        { lotId, bidId: randomUUID(), amount: { currencyCode: "EUR", amountMinor } },
        authHeader(await mintToken(userId)),
      );
      return Number(bid!.sequence);
    },
    stop: () => group.stop(),
  };
}

export type PushStack = Awaited<ReturnType<typeof startPushStack>>;

/**
 * Appends `count` synthetic bid events to a lot's subject straight into JetStream: the
 * push layer only relays events, and this makes thousands quickly (for backpressure).
 */
export async function appendSyntheticBids(natsUrl: string, lotId: string, count: number) {
  const nc = await connect({ servers: natsUrl });
  try {
    const js = jetstream(nc);
    let acks: Array<Promise<unknown>> = [];
    for (let i = 0; i < count; i++) {
      // In rounds, so this process's own clients keep reading meanwhile.
      if (acks.length === 500) {
        await Promise.all(acks);
        acks = [];
      }
      const event = syntheticBid(lotId, {
        bidId: `synthetic-${i}`,
        bidderId: "synthetic-bidder",
        amountMinor: BigInt(1000 + i),
      });
      acks.push(js.publish(lotSubject(lotId), toBinary(LotEventSchema, event)));
    }
    await Promise.all(acks);
  } finally {
    await nc.close();
  }
}
