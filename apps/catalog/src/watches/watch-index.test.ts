import { watchKey } from "@gavel/nats";
import { describe, expect, it } from "vitest";
import { WatchIndex } from "./watch-index.ts";

describe("WatchIndex", () => {
  it("counts a lot's watchers and lists a user's watches", () => {
    const index = new WatchIndex();
    index.set(watchKey("lot-1", "ada"), 100);
    index.set(watchKey("lot-1", "bob"), 200);
    index.set(watchKey("lot-2", "ada"), 300);
    index.set(watchKey("lot-1", "ada"), 100); // a redelivered put
    expect(index.count("lot-1")).toBe(2);
    expect(index.count("lot-2")).toBe(1);
    expect(index.count("lot-3")).toBe(0);
    expect(index.of("ada")).toEqual(
      expect.arrayContaining([
        { lotId: "lot-1", watchedAt: 100 },
        { lotId: "lot-2", watchedAt: 300 },
      ]),
    );
    expect(index.of("ada")).toHaveLength(2);
  });

  it("drops a deleted watch from both directions, and ignores unknown or odd keys", () => {
    const index = new WatchIndex();
    index.set(watchKey("lot-1", "ada"), 100);
    index.delete(watchKey("lot-1", "ada"));
    index.delete(watchKey("lot-1", "ada"));
    index.delete(watchKey("lot-9", "nobody"));
    index.set("not-a-pair", 5);
    expect(index.count("lot-1")).toBe(0);
    expect(index.of("ada")).toEqual([]);
  });

  it("counts the caller's own change before the index has seen it", () => {
    const index = new WatchIndex();
    index.set(watchKey("lot-1", "bob"), 100);
    expect(index.countWith("lot-1", "ada", true)).toBe(2);
    expect(index.countWith("lot-1", "ada", false)).toBe(1);
    index.set(watchKey("lot-1", "ada"), 200);
    expect(index.countWith("lot-1", "ada", true)).toBe(2);
    expect(index.countWith("lot-1", "ada", false)).toBe(1);
  });
});
