import { randomUUID } from "node:crypto";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { Code, type CallOptions } from "@connectrpc/connect";
import { LotStatus, type ListBidderLotsResponse } from "@gavel/proto/catalog/v1/catalog";
import { connectFailure } from "@gavel/testing";
import { describe, expect, it } from "vitest";
import { draft, eur, useCatalogStack, user } from "./catalog-stack.ts";

const stack = useCatalogStack();

/** Bids reach the catalog through the projector and a KV watch: allow them a moment. */
const SETTLE = { timeout: 10_000, interval: 100 };

async function bid(lotId: string, bidder: { options: CallOptions }, amountMinor: bigint) {
  await stack.bidding.placeBid(
    { lotId, bidId: randomUUID(), amount: eur(amountMinor) },
    bidder.options,
  );
}

/** What a bidder's list says, in order, without the parts that vary by run. */
const summary = (response: ListBidderLotsResponse) =>
  response.lots.map((b) => ({
    lotId: b.lot?.id,
    count: b.ownBidCount,
    highest: b.highestOwnBid?.amountMinor,
    leading: b.leading,
  }));

describe("a bidder's lots", () => {
  it("tells each bidder their bid count, highest bid and whether they lead, and only theirs", async () => {
    const [seller, ada, bob] = [await user(), await user(), await user()];
    const first = (await stack.one.createLot({ lot: draft() }, seller.options)).lot!.id;
    const second = (await stack.one.createLot({ lot: draft() }, seller.options)).lot!.id;
    await bid(first, ada, 10_00n);
    await bid(first, bob, 11_00n);
    await bid(first, ada, 12_00n);
    await bid(second, bob, 10_00n);

    await expect
      .poll(async () => summary(await stack.other.listBidderLots({}, ada.options)), SETTLE)
      .toEqual([{ lotId: first, count: 2, highest: 12_00n, leading: true }]);
    await expect
      .poll(async () => summary(await stack.other.listBidderLots({}, bob.options)), SETTLE)
      .toEqual([
        { lotId: second, count: 1, highest: 10_00n, leading: true },
        { lotId: first, count: 1, highest: 11_00n, leading: false },
      ]);
    const adas = await stack.other.listBidderLots({}, ada.options);
    expect(adas.totalSize).toBe(1);
    expect(adas.lots[0]?.lastBidAt).toBeDefined();
    expect(adas.lots[0]?.lot?.reservePrice).toBeUndefined();
    expect((await stack.other.listBidderLots({}, seller.options)).totalSize).toBe(0);

    const page = await stack.other.listBidderLots({ pageSize: 1 }, bob.options);
    expect(page.lots.map((b) => b.lot?.id)).toEqual([second]);
    const next = await stack.other.listBidderLots(
      { pageSize: 1, pageToken: page.nextPageToken },
      bob.options,
    );
    expect(next.lots.map((b) => b.lot?.id)).toEqual([first]);
    expect(next.nextPageToken).toBe("");
    const foreign = await connectFailure(
      stack.other.listBidderLots({ pageSize: 1, pageToken: page.nextPageToken }, ada.options),
    );
    expect(foreign.code).toBe(Code.InvalidArgument);
  });
});

describe("lots after they close", () => {
  it("are found by winner, and can be unwatched but not watched", async () => {
    const [seller, ada, bob] = [await user(), await user(), await user()];
    const { lot } = await stack.one.createLot(
      {
        lot: draft({
          reservePrice: eur(10_00n),
          endsAt: timestampFromMs(Date.now() + 1_500),
          snipeWindowSeconds: 1,
        }),
      },
      seller.options,
    );
    const lotId = lot!.id;
    await stack.one.addToWatchlist({ lotId }, bob.options);
    await bid(lotId, ada, 10_00n);
    await expect
      .poll(async () => (await stack.other.getLot({ id: lotId })).lot?.status, SETTLE)
      .toBe(LotStatus.CLOSED);

    await expect
      .poll(
        async () => (await stack.other.listLots({ winnerId: ada.id })).lots.map((l) => l.id),
        SETTLE,
      )
      .toEqual([lotId]);
    const won = await stack.other.listLots({ winnerId: ada.id, sellerId: seller.id });
    expect(won.lots.map((l) => [l.id, l.winnerId])).toEqual([[lotId, ada.id]]);
    expect((await stack.other.listLots({ winnerId: bob.id })).totalSize).toBe(0);
    const malformed = await connectFailure(stack.other.listLots({ winnerId: "a.b" }));
    expect(malformed.code).toBe(Code.InvalidArgument);

    await expect
      .poll(async () => summary(await stack.other.listBidderLots({}, ada.options)), SETTLE)
      .toEqual([{ lotId, count: 1, highest: 10_00n, leading: true }]);

    const refused = await connectFailure(stack.one.addToWatchlist({ lotId }, ada.options));
    expect(refused.code).toBe(Code.FailedPrecondition);
    expect((await stack.one.removeFromWatchlist({ lotId }, bob.options)).lot?.watcherCount).toBe(0);
  });
});
