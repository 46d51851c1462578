import { timestampMs } from "@bufbuild/protobuf/wkt";
import { Code, type CallOptions, type ConnectError } from "@connectrpc/connect";
import { BadRequestSchema } from "@gavel/proto/common/v1/errors";
import { connectFailure } from "@gavel/testing";
import { describe, expect, it } from "vitest";
import { draft, useCatalogStack, user } from "./catalog-stack.ts";

const stack = useCatalogStack();

async function newLot(sellerOptions?: CallOptions) {
  const { lot } = await stack.one.createLot(
    { lot: draft() },
    sellerOptions ?? (await user()).options,
  );
  return lot!.id;
}

const fieldsOf = (err: ConnectError) =>
  err.findDetails(BadRequestSchema)[0]?.fieldViolations.map((f) => f.field);

describe("watching lots", () => {
  it("is idempotent both ways, and every replica's watcher count follows", async () => {
    const seller = await user();
    const lotId = await newLot(seller.options);
    const [ada, bob, stranger] = [await user(), await user(), await user()];

    const watched = await stack.one.addToWatchlist({ lotId }, ada.options);
    expect(watched.lot).toMatchObject({ id: lotId, watcherCount: 1 });
    expect(watched.lot?.reservePrice).toBeUndefined();
    expect((await stack.one.addToWatchlist({ lotId }, ada.options)).lot?.watcherCount).toBe(1);
    await expect
      .poll(async () => (await stack.other.getLot({ id: lotId })).lot?.watcherCount)
      .toBe(1);

    expect((await stack.other.addToWatchlist({ lotId }, bob.options)).lot?.watcherCount).toBe(2);
    await expect
      .poll(async () => (await stack.one.getLot({ id: lotId })).lot?.watcherCount)
      .toBe(2);
    await expect
      .poll(async () => (await stack.other.listLots({ sellerId: seller.id })).lots[0]?.watcherCount)
      .toBe(2);
    expect((await stack.one.batchGetLots({ ids: [lotId] })).lots[0]?.watcherCount).toBe(2);
    expect(
      (await stack.one.getLot({ id: lotId }, seller.options)).lot?.reservePrice?.amountMinor,
    ).toBe(50_00n);

    expect((await stack.one.removeFromWatchlist({ lotId }, ada.options)).lot?.watcherCount).toBe(1);
    expect((await stack.one.removeFromWatchlist({ lotId }, ada.options)).lot?.watcherCount).toBe(1);
    await expect
      .poll(async () => (await stack.other.getLot({ id: lotId })).lot?.watcherCount)
      .toBe(1);
    await expect
      .poll(async () => (await stack.one.getLot({ id: lotId })).lot?.watcherCount)
      .toBe(1);
    const never = await stack.one.removeFromWatchlist({ lotId }, stranger.options);
    expect(never.lot?.watcherCount).toBe(1);
  });

  it("lists a user's watches newest first, page by page, keeping the first watch time", async () => {
    const [ada, bob] = [await user(), await user()];
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push(await newLot());
    for (const lotId of ids.slice(0, 3)) await stack.one.addToWatchlist({ lotId }, ada.options);
    await expect
      .poll(async () => (await stack.other.listWatchlist({}, ada.options)).totalSize)
      .toBe(3);

    const first = await stack.other.listWatchlist({ pageSize: 2 }, ada.options);
    expect(first.totalSize).toBe(3);
    expect(first.watched.map((w) => w.lot?.id)).toEqual([ids[2], ids[1]]);
    expect(first.nextPageToken).not.toBe("");
    const second = await stack.other.listWatchlist(
      { pageSize: 2, pageToken: first.nextPageToken },
      ada.options,
    );
    expect(second.watched.map((w) => w.lot?.id)).toEqual([ids[0]]);
    expect(second.nextPageToken).toBe("");
    const times = [...first.watched, ...second.watched].map((w) => timestampMs(w.watchedSince!));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(first.watched[0]?.lot?.watcherCount).toBe(1);

    // Watching the oldest again must not move it; the fourth watch shows when the
    // other replica has seen everything written before it.
    await stack.one.addToWatchlist({ lotId: ids[0]! }, ada.options);
    await stack.one.addToWatchlist({ lotId: ids[3]! }, ada.options);
    await expect
      .poll(async () =>
        (await stack.other.listWatchlist({}, ada.options)).watched.map((w) => w.lot?.id),
      )
      .toEqual([ids[3], ids[2], ids[1], ids[0]]);
    const again = (await stack.other.listWatchlist({}, ada.options)).watched.at(-1)!;
    expect(timestampMs(again.watchedSince!)).toBe(times.at(-1));

    expect((await stack.other.listWatchlist({}, bob.options)).totalSize).toBe(0);
  });

  it("refuses a page token of another user or another list, and a bad page size", async () => {
    const [ada, bob] = [await user(), await user()];
    const seller = await user();
    for (let i = 0; i < 2; i++)
      await stack.one.addToWatchlist({ lotId: await newLot(seller.options) }, ada.options);
    await expect
      .poll(async () => (await stack.one.listWatchlist({}, ada.options)).totalSize)
      .toBe(2);
    const { nextPageToken } = await stack.one.listWatchlist({ pageSize: 1 }, ada.options);
    expect(nextPageToken).not.toBe("");
    await expect
      .poll(async () => (await stack.one.listLots({ sellerId: seller.id })).totalSize)
      .toBe(2);
    const lotsToken = (await stack.one.listLots({ sellerId: seller.id, pageSize: 1 }))
      .nextPageToken;

    for (const [call, field] of [
      [
        () => stack.one.listWatchlist({ pageSize: 1, pageToken: nextPageToken }, bob.options),
        "page_token",
      ],
      [
        () => stack.one.listBidderLots({ pageSize: 1, pageToken: nextPageToken }, ada.options),
        "page_token",
      ],
      [
        () => stack.one.listWatchlist({ pageSize: 1, pageToken: lotsToken }, ada.options),
        "page_token",
      ],
      [() => stack.one.listWatchlist({ pageToken: "garbage!" }, ada.options), "page_token"],
      [() => stack.one.listWatchlist({ pageSize: 101 }, ada.options), "page_size"],
    ] as const) {
      const err = await connectFailure(call());
      expect(err.code).toBe(Code.InvalidArgument);
      expect(fieldsOf(err)).toEqual([field]);
    }
  });

  it("needs a signed-in caller", async () => {
    const lotId = await newLot();
    for (const call of [
      () => stack.one.addToWatchlist({ lotId }),
      () => stack.one.removeFromWatchlist({ lotId }),
      () => stack.one.listWatchlist({}),
      () => stack.one.listBidderLots({}),
    ]) {
      expect((await connectFailure(call())).code).toBe(Code.Unauthenticated);
    }
  });

  it("answers unknown lots with NOT_FOUND and malformed ids with INVALID_ARGUMENT", async () => {
    const ada = await user();
    const unknown = "0197a4b2-7c1e-7000-8000-000000000000";
    expect(
      (await connectFailure(stack.one.addToWatchlist({ lotId: unknown }, ada.options))).code,
    ).toBe(Code.NotFound);
    expect(
      (await connectFailure(stack.one.removeFromWatchlist({ lotId: unknown }, ada.options))).code,
    ).toBe(Code.NotFound);
    const malformed = await connectFailure(stack.one.addToWatchlist({ lotId: "a.>" }, ada.options));
    expect(malformed.code).toBe(Code.InvalidArgument);
    expect(fieldsOf(malformed)).toEqual(["lot_id"]);
  });

  it("refuses to watch a cancelled lot, and still lets its watchers remove it", async () => {
    const [seller, ada, bob] = [await user(), await user(), await user()];
    const lotId = await newLot(seller.options);
    await stack.one.addToWatchlist({ lotId }, ada.options);
    await expect
      .poll(async () => (await stack.other.listWatchlist({}, ada.options)).totalSize)
      .toBe(1);
    await stack.one.cancelLot({ id: lotId, reason: "withdrawn" }, seller.options);
    const refused = await connectFailure(stack.one.addToWatchlist({ lotId }, bob.options));
    expect(refused.code).toBe(Code.FailedPrecondition);
    expect((await stack.one.removeFromWatchlist({ lotId }, ada.options)).lot?.watcherCount).toBe(0);
    await expect
      .poll(async () => (await stack.other.listWatchlist({}, ada.options)).totalSize)
      .toBe(0);
  });
});
