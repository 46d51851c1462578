import { randomUUID } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { Code } from "@connectrpc/connect";
import { BadRequestSchema } from "@gavel/proto/common/v1/errors";
import {
  CatalogService,
  ImportLotsRequestSchema,
  LotOrder,
  LotStatus,
} from "@gavel/proto/catalog/v1/catalog";
import {
  connectClient,
  serviceEnv,
  startService,
  type ServiceProcess,
  connectFailure,
} from "@gavel/testing";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { as, draft } from "./catalog-stack.ts";

let catalog: ServiceProcess;
let client: ReturnType<typeof connectClient<typeof CatalogService>>;

beforeAll(async () => {
  catalog = await startService("catalog", {
    ...serviceEnv(inject("natsUrl")),
    GAVEL_MIN_LOT_SECONDS: "1",
  });
  client = connectClient(CatalogService, catalog.rpcUrl);
});

afterAll(async () => {
  expect(await catalog.stop()).toBe(0);
});

describe("creating and reading lots", () => {
  it("creates an open lot and shows its reserve to the seller only", async () => {
    const seller = randomUUID();
    const { lot } = await client.createLot({ lot: draft() }, await as(seller));
    expect(lot).toMatchObject({
      sellerId: seller,
      status: LotStatus.OPEN,
      bidCount: 0,
      title: "A walnut chair",
    });
    expect(lot?.version).toBeGreaterThan(0n);
    const mine = await client.getLot({ id: lot!.id }, await as(seller));
    const theirs = await client.getLot({ id: lot!.id }, await as(randomUUID()));
    const anonymous = await client.getLot({ id: lot!.id });
    expect(mine.lot?.reservePrice?.amountMinor).toBe(50_00n);
    expect(theirs.lot?.reservePrice).toBeUndefined();
    expect(anonymous.lot?.reservePrice).toBeUndefined();
    expect(anonymous.lot?.reserveMet).toBe(false);
  });

  it("needs a signed-in seller", async () => {
    expect((await connectFailure(client.createLot({ lot: draft() }))).code).toBe(
      Code.Unauthenticated,
    );
  });

  it("names every bad field of a draft", async () => {
    const bad = draft({
      title: "x",
      startingPrice: { currencyCode: "XXX", amountMinor: -5n },
      reservePrice: { currencyCode: "USD", amountMinor: -1n },
      endsAt: timestampFromMs(Date.now() - 1000),
      snipeWindowSeconds: 99_999,
    });
    const err = await connectFailure(client.createLot({ lot: bad }, await as(randomUUID())));
    expect(err.code).toBe(Code.InvalidArgument);
    const fields = err.findDetails(BadRequestSchema)[0]?.fieldViolations.map((f) => f.field);
    expect(fields).toEqual([
      "lot.title",
      "lot.starting_price.currency_code",
      "lot.starting_price.amount_minor",
      "lot.reserve_price.currency_code",
      "lot.reserve_price.amount_minor",
      "lot.ends_at",
      "lot.snipe_window_seconds",
    ]);
  });

  it("creates one lot for a request id however often it is retried", async () => {
    const seller = await as(randomUUID());
    const requestId = randomUUID();
    const results = await Promise.all(
      Array.from({ length: 5 }, () => client.createLot({ lot: draft(), requestId }, seller)),
    );
    expect(new Set(results.map((r) => r.lot?.id)).size).toBe(1);
  });

  it("answers unknown and malformed ids with NOT_FOUND and INVALID_ARGUMENT", async () => {
    expect((await connectFailure(client.getLot({ id: randomUUID() }))).code).toBe(Code.NotFound);
    expect((await connectFailure(client.getLot({ id: "gavel.lot.>" }))).code).toBe(
      Code.InvalidArgument,
    );
    expect((await connectFailure(client.batchGetLots({ ids: ["ok", "not ok"] }))).code).toBe(
      Code.InvalidArgument,
    );
  });

  it("batch-gets lots, leaving out unknown ids", async () => {
    const seller = await as(randomUUID());
    const a = (await client.createLot({ lot: draft() }, seller)).lot!.id;
    const b = (await client.createLot({ lot: draft() }, seller)).lot!.id;
    const { lots } = await client.batchGetLots({ ids: [a, b, randomUUID(), a] });
    expect(lots.map((l) => l.id).sort()).toEqual([a, b].sort());
  });
});

describe("listing lots", () => {
  it("pages through a seller's lots newest first without overlap or gap", async () => {
    const sellerId = randomUUID();
    const seller = await as(sellerId);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++)
      ids.push((await client.createLot({ lot: draft({ title: `Lot ${i}` }) }, seller)).lot!.id);
    await expect.poll(async () => (await client.listLots({ sellerId })).totalSize).toBe(5);

    const seen: string[] = [];
    let pageToken = "";
    do {
      const page = await client.listLots({ sellerId, pageSize: 2, pageToken });
      expect(page.totalSize).toBe(5);
      seen.push(...page.lots.map((l) => l.id));
      pageToken = page.nextPageToken;
    } while (pageToken);
    expect(seen).toEqual([...ids].reverse());
  });

  it("pages back from the last page to the first with previous tokens", async () => {
    const sellerId = randomUUID();
    const seller = await as(sellerId);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++)
      ids.push((await client.createLot({ lot: draft() }, seller)).lot!.id);
    await expect.poll(async () => (await client.listLots({ sellerId })).totalSize).toBe(5);
    let page = await client.listLots({ sellerId, pageSize: 2 });
    expect(page.previousPageToken).toBe("");
    while (page.nextPageToken)
      page = await client.listLots({ sellerId, pageSize: 2, pageToken: page.nextPageToken });
    const backwards: string[][] = [page.lots.map((l) => l.id)];
    while (page.previousPageToken) {
      page = await client.listLots({ sellerId, pageSize: 2, pageToken: page.previousPageToken });
      backwards.unshift(page.lots.map((l) => l.id));
    }
    expect(backwards.flat()).toEqual([...ids].reverse());
    expect(backwards[0]).toHaveLength(2);
  });

  it("orders by soonest end and filters by status", async () => {
    const sellerId = randomUUID();
    const seller = await as(sellerId);
    const later = (
      await client.createLot(
        { lot: draft({ endsAt: timestampFromMs(Date.now() + 7200_000) }) },
        seller,
      )
    ).lot!;
    const sooner = (
      await client.createLot(
        { lot: draft({ endsAt: timestampFromMs(Date.now() + 3600_000) }) },
        seller,
      )
    ).lot!;
    await client.cancelLot({ id: later.id, reason: "changed my mind" }, seller);
    await expect
      .poll(async () =>
        (await client.listLots({ sellerId, order: LotOrder.ENDING_SOONEST })).lots.map((l) => l.id),
      )
      .toEqual([sooner.id, later.id]);
    await expect
      .poll(async () =>
        (await client.listLots({ sellerId, status: LotStatus.CANCELLED })).lots.map((l) => l.id),
      )
      .toEqual([later.id]);
  });

  it("refuses a page token made for other filters, a forged token and an oversized page", async () => {
    const sellerId = randomUUID();
    const seller = await as(sellerId);
    for (let i = 0; i < 3; i++) await client.createLot({ lot: draft() }, seller);
    await expect.poll(async () => (await client.listLots({ sellerId })).totalSize).toBe(3);
    const { nextPageToken } = await client.listLots({ sellerId, pageSize: 1 });
    expect(nextPageToken).not.toBe("");
    const other = await connectFailure(
      client.listLots({
        sellerId,
        pageSize: 1,
        pageToken: nextPageToken,
        order: LotOrder.ENDING_SOONEST,
      }),
    );
    expect(other.code).toBe(Code.InvalidArgument);
    expect(other.rawMessage).toMatch(/page_token/);
    expect((await connectFailure(client.listLots({ pageToken: "garbage!" }))).code).toBe(
      Code.InvalidArgument,
    );
    expect((await connectFailure(client.listLots({ pageSize: 101 }))).code).toBe(
      Code.InvalidArgument,
    );
  });
});

describe("cancelling lots", () => {
  it("lets only the seller cancel, and a repeated cancel succeeds again", async () => {
    const sellerId = randomUUID();
    const seller = await as(sellerId);
    const { lot } = await client.createLot({ lot: draft() }, seller);
    const stranger = await connectFailure(
      client.cancelLot({ id: lot!.id }, await as(randomUUID())),
    );
    expect(stranger.code).toBe(Code.PermissionDenied);
    const cancelled = await client.cancelLot({ id: lot!.id, reason: "withdrawn" }, seller);
    expect(cancelled.lot?.status).toBe(LotStatus.CANCELLED);
    expect((await client.cancelLot({ id: lot!.id }, seller)).lot?.status).toBe(LotStatus.CANCELLED);
    expect((await connectFailure(client.cancelLot({ id: randomUUID() }, seller))).code).toBe(
      Code.NotFound,
    );
  });

  it("takes a reason of up to 500 characters, counting an emoji as one", async () => {
    const seller = await as(randomUUID());
    const { lot } = await client.createLot({ lot: draft() }, seller);
    const tooLong = await connectFailure(
      client.cancelLot({ id: lot!.id, reason: "🔨".repeat(501) }, seller),
    );
    expect(tooLong.code).toBe(Code.InvalidArgument);
    const cancelled = await client.cancelLot({ id: lot!.id, reason: "🔨".repeat(500) }, seller);
    expect(cancelled.lot?.status).toBe(LotStatus.CANCELLED);
  });
});

describe("importing lots", () => {
  it("answers every streamed item on its own", async () => {
    const seller = await as(randomUUID());
    async function* items() {
      yield create(ImportLotsRequestSchema, { lot: draft({ title: "First" }) });
      yield create(ImportLotsRequestSchema, { lot: draft({ title: "" }) });
      yield create(ImportLotsRequestSchema, { lot: draft({ title: "Third" }) });
    }
    const response = await client.importLots(items(), seller);
    expect(response.createdCount).toBe(2);
    expect(response.failedCount).toBe(1);
    expect(response.results.map((r) => r.outcome.case)).toEqual(["lot", "error", "lot"]);
    const failed = response.results[1]?.outcome;
    expect(failed?.case === "error" && failed.value.code).toBe("invalid_argument");
    expect(failed?.case === "error" && failed.value.fieldViolations.map((f) => f.field)).toEqual([
      "lot.title",
    ]);
  });
});
