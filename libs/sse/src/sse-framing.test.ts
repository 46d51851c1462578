import { describe, expect, it } from "vitest";
import { SSE_HEADERS, sseComment, sseEvent, sseRetry } from "./sse-framing.ts";

describe("SSE framing", () => {
  it("writes an event with its id, name and one data line, ended by a blank line", () => {
    expect(sseEvent("bid_accepted", '{"a":1}', 42)).toBe(
      'id: 42\nevent: bid_accepted\ndata: {"a":1}\n\n',
    );
    expect(sseEvent("progress", "{}")).toBe("event: progress\ndata: {}\n\n");
  });

  it("refuses data or a name that would break the record", () => {
    expect(() => sseEvent("result", "line one\nid: 999")).toThrow(/line break/);
    expect(() => sseEvent("a\rb", "{}")).toThrow(/line break/);
    // JSON keeps a newline inside a string escaped: it is one line.
    expect(sseEvent("result", JSON.stringify({ text: "a\nb" }))).toBe(
      'event: result\ndata: {"text":"a\\nb"}\n\n',
    );
  });

  it("writes comments on one line, and the retry field in whole milliseconds", () => {
    expect(sseComment("ping")).toBe(": ping\n\n");
    expect(sseComment("two\nlines")).toBe(": two lines\n\n");
    expect(sseRetry(2000)).toBe("retry: 2000\n\n");
  });

  it("sends streams uncached and untransformed", () => {
    expect(SSE_HEADERS["content-type"]).toBe("text/event-stream; charset=utf-8");
    expect(SSE_HEADERS["cache-control"]).toBe("no-store, no-transform");
  });
});
