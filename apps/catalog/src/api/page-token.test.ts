import { describe, expect, it } from "vitest";
import {
  decodeCursor,
  encodeCursor,
  latestFirst,
  pageAt,
  soonestFirst,
  type Listing,
} from "./page-token.ts";

interface Item {
  id: string;
  at: number;
}

const listing = (userId: string): Listing<Item> => ({
  key: ["watchlist", userId],
  positionOf: (item) => item,
  compare: latestFirst,
});

const items: Item[] = [
  { id: "a", at: 100 },
  { id: "b", at: 300 },
  { id: "c", at: 200 },
  { id: "d", at: 300 },
  { id: "e", at: 50 },
];

/** Every page from the first, following next tokens. */
function walk(list: Listing<Item>, all: Item[], size: number): string[][] {
  const pages: string[][] = [];
  let token = "";
  do {
    const page = pageAt(list, all, token, size);
    if (!page) throw new Error("token refused");
    pages.push(page.items.map((i) => i.id));
    token = page.nextPageToken;
  } while (token);
  return pages;
}

describe("pageAt", () => {
  it("pages in the listing's order, ties broken by id, without overlap or gap", () => {
    expect(walk(listing("u"), items, 2)).toEqual([["d", "b"], ["c", "a"], ["e"]]);
  });

  it("gives no next token on the last page and no previous token on the first", () => {
    const first = pageAt(listing("u"), items, "", 5)!;
    expect(first.items).toHaveLength(5);
    expect(first.nextPageToken).toBe("");
    expect(first.previousPageToken).toBe("");
  });

  it("pages back with previous tokens", () => {
    const first = pageAt(listing("u"), items, "", 2)!;
    const second = pageAt(listing("u"), items, first.nextPageToken, 2)!;
    const back = pageAt(listing("u"), items, second.previousPageToken, 2)!;
    expect(back.items.map((i) => i.id)).toEqual(["d", "b"]);
    expect(back.previousPageToken).toBe("");
  });

  it("continues after the cursor's position when items were added in between", () => {
    const first = pageAt(listing("u"), items, "", 2)!;
    const grown = [...items, { id: "z", at: 999 }];
    expect(pageAt(listing("u"), grown, first.nextPageToken, 2)!.items.map((i) => i.id)).toEqual([
      "c",
      "a",
    ]);
  });

  it("refuses a token made for another user's list", () => {
    const { nextPageToken } = pageAt(listing("u"), items, "", 2)!;
    expect(pageAt(listing("someone-else"), items, nextPageToken, 2)).toBeUndefined();
    expect(pageAt(listing("u"), items, nextPageToken, 2)).toBeDefined();
  });

  it("orders soonest first when asked", () => {
    const soonest = { ...listing("u"), compare: soonestFirst };
    expect(walk(soonest, items, 10)).toEqual([["e", "a", "c", "b", "d"]]);
  });
});

describe("cursors", () => {
  const key = ["bidder-lots", "u"];

  it("round-trip through an opaque token", () => {
    const token = encodeCursor({ k: key, d: "a", at: 1234, id: "lot-1" });
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(key, token)).toEqual({ k: key, d: "a", at: 1234, id: "lot-1" });
  });

  const forged = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

  it.each([
    ["garbage", "garbage!"],
    ["null", forged(null)],
    ["a number", forged(7)],
    ["another key", forged({ k: ["watchlist", "u"], d: "a", at: 1, id: "x" })],
    ["a longer key", forged({ k: [...key, "x"], d: "a", at: 1, id: "x" })],
    ["a bad direction", forged({ k: key, d: "sideways", at: 1, id: "x" })],
    ["a non-numeric position", forged({ k: key, d: "a", at: "1", id: "x" })],
    ["a missing id", forged({ k: key, d: "b", at: 1 })],
  ])("refuses %s", (_name, token) => {
    expect(decodeCursor(key, token)).toBeUndefined();
  });
});
