import { describe, expect, it } from "vitest";
import { connection, pageRequest } from "./page-cursor.ts";

const items = ["a", "b", "c", "d", "e"];

describe("page cursors", () => {
  it("asks for the first page without a cursor", () => {
    expect(pageRequest(3, null, 100)).toEqual({ pageToken: "", skip: 0, first: 3, pageSize: 3 });
  });

  it("gives the last edge of a page that has more the service's next token", () => {
    const page = connection(pageRequest(5, null, 100), items, "next-token");
    expect(page.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    expect(pageRequest(2, page.pageInfo.endCursor, 100)).toMatchObject({
      pageToken: "next-token",
      skip: 0,
    });
  });

  it("resumes after a middle edge by skipping into the page it came from", () => {
    const page = connection(pageRequest(5, null, 100), items, "next-token");
    const request = pageRequest(2, page.edges[1]!.cursor, 100);
    expect(request).toEqual({ pageToken: "", skip: 2, first: 2, pageSize: 4 });
    const next = connection(request, items.slice(0, 4), "t4");
    expect(next.edges.map((e) => e.node)).toEqual(["c", "d"]);
    expect(next.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });
  });

  it("says there is no next page at the end of the list", () => {
    const page = connection(pageRequest(10, null, 100), items, "");
    expect(page.edges).toHaveLength(5);
    expect(page.pageInfo.hasNextPage).toBe(false);
  });

  it("never asks the service for more than its largest page", () => {
    const page = connection(pageRequest(5, null, 100), items, "");
    expect(pageRequest(100, page.edges[2]!.cursor, 100).pageSize).toBe(100);
  });

  it("has null start and end cursors for an empty page", () => {
    expect(connection(pageRequest(5, null, 100), [], "").pageInfo).toEqual({
      hasNextPage: false,
      hasPreviousPage: false,
      startCursor: null,
      endCursor: null,
    });
  });

  it.each([["not a cursor"], [Buffer.from('{"t":1}').toString("base64url")]])(
    "refuses a foreign cursor %s as bad input",
    (cursor) => {
      expect(() => pageRequest(5, cursor, 100)).toThrow(/not a cursor/);
    },
  );

  it.each([0, -1, 101])("refuses first = %i", (first) => {
    expect(() => pageRequest(first, null, 100)).toThrow(/between 1 and 100/);
  });
});
