import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { LotOrder, LotSchema, LotStatus, type Lot } from "@gavel/proto/catalog/v1/catalog";
import { describe, expect, it } from "vitest";
import { LotIndex, lotListing, type LotQuery } from "./lot-index.ts";
import { pageAt } from "../api/page-token.ts";

/** The plain-object form of a lot (not a message), so tests can spread overrides. */
type LotInit = Exclude<MessageInitShape<typeof LotSchema>, Lot>;

const lot = (id: string, endsAt: number, init: LotInit = {}) =>
  create(LotSchema, { id, status: LotStatus.OPEN, endsAt: timestampFromMs(endsAt), ...init });

const all: LotQuery = {
  status: LotStatus.UNSPECIFIED,
  sellerId: "",
  winnerId: "",
  order: LotOrder.UNSPECIFIED,
};

function indexOf(lots: Lot[]): LotIndex {
  const index = new LotIndex();
  for (const l of lots) index.set(l.id, l);
  return index;
}

describe("LotIndex", () => {
  const index = indexOf([
    lot("1", 300, { sellerId: "s1" }),
    lot("2", 100, { sellerId: "s1", status: LotStatus.CLOSED, winnerId: "ada" }),
    lot("3", 200, { sellerId: "s2", status: LotStatus.CLOSED, winnerId: "bob" }),
  ]);
  const ids = (q: LotQuery) =>
    index
      .query(q)
      .map((l) => l.id)
      .sort();

  it("filters by status, seller and winner together", () => {
    expect(ids({ ...all, winnerId: "ada" })).toEqual(["2"]);
    expect(ids({ ...all, status: LotStatus.CLOSED })).toEqual(["2", "3"]);
    expect(ids({ ...all, sellerId: "s1", winnerId: "bob" })).toEqual([]);
    expect(ids(all)).toEqual(["1", "2", "3"]);
  });

  it("pairs entries with their lots, leaving out lots it has not seen", () => {
    const joined = index.withLots([{ lotId: "3" }, { lotId: "unknown" }]);
    expect(joined.map((e) => e.lot.winnerId)).toEqual(["bob"]);
  });

  it("orders newest first by id, or soonest end first", () => {
    const page = (order: LotOrder) =>
      pageAt(lotListing({ ...all, order }), index.query(all), "", 10)!.items.map((l) => l.id);
    expect(page(LotOrder.NEWEST)).toEqual(["3", "2", "1"]);
    expect(page(LotOrder.ENDING_SOONEST)).toEqual(["2", "3", "1"]);
  });

  it("binds page tokens to the winner filter", () => {
    const anyone = { ...all, winnerId: "" };
    const { nextPageToken } = pageAt(lotListing(anyone), index.query(anyone), "", 1)!;
    const bobs = { ...all, winnerId: "bob" };
    expect(pageAt(lotListing(bobs), index.query(bobs), nextPageToken, 1)).toBeUndefined();
    expect(pageAt(lotListing(anyone), index.query(anyone), nextPageToken, 1)).toBeDefined();
  });
});
