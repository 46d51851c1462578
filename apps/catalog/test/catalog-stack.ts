import { randomUUID } from "node:crypto";
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { BiddingService } from "@gavel/proto/bidding/v1/bidding";
import { CatalogService, LotDraftSchema, type LotDraft } from "@gavel/proto/catalog/v1/catalog";
import { authHeader, connectClient, mintToken, serviceEnv, ServiceGroup } from "@gavel/testing";
import { afterAll, beforeAll, expect, inject } from "vitest";

/** The plain-object form of a draft (not a message), so tests can spread overrides. */
export type DraftInit = Exclude<MessageInitShape<typeof LotDraftSchema>, LotDraft>;

/**
 * Two catalog replicas (to see one replica's write through the other's indexes) and a
 * bidding service (for bids and closes) on one real NATS.
 */
export async function startCatalogStack(natsUrl: string) {
  const env = { ...serviceEnv(natsUrl), GAVEL_MIN_LOT_SECONDS: "1" };
  const group = new ServiceGroup();
  const first = await group.start("catalog", env);
  const second = await group.start("catalog", env);
  const bidding = await group.start("bidding", env);
  return {
    catalogs: [first, second].map((c) => connectClient(CatalogService, c.rpcUrl)),
    bidding: connectClient(BiddingService, bidding.rpcUrl),
    stop: () => group.stop(),
  };
}

export type CatalogStack = Awaited<ReturnType<typeof startCatalogStack>>;
type CatalogClient = CatalogStack["catalogs"][number];

/**
 * A stack for the test file that calls it: started before its tests, stopped after
 * them, each process exiting cleanly. `one` takes the writes in these tests, and `other`
 * shows what the other replica's indexes have seen.
 */
export function useCatalogStack() {
  let stack: CatalogStack | undefined;
  beforeAll(async () => {
    stack = await startCatalogStack(inject("natsUrl"));
  });
  afterAll(async () => {
    expect(await stack?.stop()).toEqual([0, 0, 0]);
  });
  const started = () => {
    if (!stack) throw new Error("the catalog stack is not started yet");
    return stack;
  };
  return {
    get one(): CatalogClient {
      return started().catalogs[0]!;
    },
    get other(): CatalogClient {
      return started().catalogs[1]!;
    },
    get bidding() {
      return started().bidding;
    },
  };
}

export const draft = (overrides: DraftInit = {}): LotDraft =>
  create(LotDraftSchema, {
    title: "A walnut chair",
    description: "Mid-century, lightly used.",
    startingPrice: { currencyCode: "EUR", amountMinor: 10_00n },
    reservePrice: { currencyCode: "EUR", amountMinor: 50_00n },
    endsAt: timestampFromMs(Date.now() + 3600_000),
    ...overrides,
  });

export async function as(userId: string) {
  return authHeader(await mintToken(userId));
}

/** A signed-in user: their id and the call options that carry their token. */
export async function user(userId = randomUUID()) {
  return { id: userId, options: await as(userId) };
}

export const eur = (amountMinor: bigint) => ({ currencyCode: "EUR", amountMinor });
