import { randomUUID } from "node:crypto";
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { BiddingService } from "@gavel/proto/bidding/v1/bidding";
import { CatalogService, LotDraftSchema, type LotDraft } from "@gavel/proto/catalog/v1/catalog";
import {
  authHeader,
  connectClient,
  mintToken,
  serviceEnv,
  ServiceGroup,
  type ServiceProcess,
} from "@gavel/testing";

/** The plain-object form of a draft (not a message), so tests can spread overrides. */
type DraftInit = Exclude<MessageInitShape<typeof LotDraftSchema>, LotDraft>;

/**
 * A catalog and a number of bidding replicas on one real NATS, with clients for each;
 * biddingEnv adds to the bidding replicas' settings; inspectFirst opens the first replica's
 * V8 inspector (for heapAfterGc).
 */
export async function startBiddingStack(
  natsUrl: string,
  biddingReplicas = 1,
  biddingEnv: Record<string, string> = {},
  options: { inspectFirst?: boolean } = {},
) {
  const env = { ...serviceEnv(natsUrl), GAVEL_MIN_LOT_SECONDS: "1" };
  const group = new ServiceGroup();
  const catalog = await group.start("catalog", env);
  const bidding: ServiceProcess[] = [];
  for (let i = 0; i < biddingReplicas; i++)
    bidding.push(
      await group.start(
        "bidding",
        { ...env, ...biddingEnv },
        { inspect: i === 0 && options.inspectFirst },
      ),
    );
  return {
    env,
    catalog,
    bidding,
    catalogClient: connectClient(CatalogService, catalog.rpcUrl),
    biddingClients: bidding.map((b) => connectClient(BiddingService, b.rpcUrl)),
    stop: () => group.stop(),
  };
}

export type BiddingStack = Awaited<ReturnType<typeof startBiddingStack>>;

/** Lists a lot as a new seller; returns its id and the seller's id. */
export async function listLot(stack: BiddingStack, draft: DraftInit & { endsInMs?: number } = {}) {
  const sellerId = randomUUID();
  const { endsInMs = 3600_000, ...rest } = draft;
  const { lot } = await stack.catalogClient.createLot(
    {
      lot: create(LotDraftSchema, {
        title: "Test lot",
        startingPrice: { currencyCode: "EUR", amountMinor: 10_00n },
        endsAt: timestampFromMs(Date.now() + endsInMs),
        ...rest,
      }),
    },
    authHeader(await mintToken(sellerId)),
  );
  return { lotId: lot!.id, sellerId };
}

export const eur = (amountMinor: bigint) => ({ currencyCode: "EUR", amountMinor });

export async function bidder(userId = randomUUID()) {
  return { userId, options: authHeader(await mintToken(userId)) };
}
