/**
 * The data every protocol reads: open lots from several sellers (real identity users, so
 * display names resolve), each with one to three bids, placed through the services' own
 * RPCs as a client would.
 */
import { randomUUID } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { BiddingService } from "@gavel/proto/bidding/v1/bidding";
import { CatalogService, LotDraftSchema } from "@gavel/proto/catalog/v1/catalog";
import { IdentityService } from "@gavel/proto/identity/v1/identity";
import { authHeader, connectClient, mintToken } from "@gavel/testing";

export interface SeedUrls {
  identity: string;
  catalog: string;
  bidding: string;
}

const BIDDERS = 6;
const HOUR_MS = 3600_000;

async function signUpSellers(identityUrl: string, count: number): Promise<string[]> {
  const identity = connectClient(IdentityService, identityUrl);
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const { user } = await identity.signUp({
      email: `protocols-${randomUUID()}@example.com`,
      password: "bench password",
      displayName: `Seller ${i + 1}`,
    });
    ids.push(user!.id);
  }
  return ids;
}

/** Lists a lot for the seller, open for an hour; resolves with its id. */
export async function listLot(catalogUrl: string, sellerId: string, title: string) {
  const catalog = connectClient(CatalogService, catalogUrl);
  const { lot } = await catalog.createLot(
    {
      lot: create(LotDraftSchema, {
        title,
        description: `${title}: seeded by bench/protocols for the protocol comparison.`,
        startingPrice: { currencyCode: "EUR", amountMinor: 10_00n },
        endsAt: timestampFromMs(Date.now() + HOUR_MS),
      }),
    },
    authHeader(await mintToken(sellerId)),
  );
  return lot!.id;
}

export async function seedLots(urls: SeedUrls, lots: number, sellers: number): Promise<void> {
  const sellerIds = await signUpSellers(urls.identity, sellers);
  const bidders = await Promise.all(
    Array.from({ length: BIDDERS }, async () => authHeader(await mintToken(randomUUID()))),
  );
  const bidding = connectClient(BiddingService, urls.bidding);
  for (let i = 0; i < lots; i++) {
    const lotId = await listLot(urls.catalog, sellerIds[i % sellerIds.length]!, `Lot ${i + 1}`);
    for (let b = 0; b < 1 + (i % 3); b++) {
      await bidding.placeBid(
        {
          lotId,
          bidId: randomUUID(),
          amount: { currencyCode: "EUR", amountMinor: BigInt(10_00 + 1_00 * (b + 1)) },
        },
        bidders[(i + b) % bidders.length]!,
      );
    }
    if ((i + 1) % 20 === 0) process.stderr.write(`  seeded ${i + 1}/${lots} lots\n`);
  }
}
