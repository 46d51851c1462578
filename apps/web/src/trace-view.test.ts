import { describe, expect, it } from "vitest";
import { barOf, formatMs, type TraceSpan } from "./trace-view.ts";

const span = (startMs: number, durationMs: number): TraceSpan => ({
  id: "a",
  parentId: null,
  depth: 0,
  service: "push",
  name: "ws bid",
  protocol: "WebSocket",
  kind: "server",
  startMs,
  durationMs,
  error: false,
});

describe("a span's bar", () => {
  it("is placed and sized as a share of the whole trace", () => {
    expect(barOf(span(25, 50), 100)).toEqual({ left: 25, width: 50 });
  });

  it("stays visible when the span is a sliver, and never runs past the end", () => {
    expect(barOf(span(10, 0.001), 1000).width).toBe(0.5);
    expect(barOf(span(99.9, 5), 100)).toEqual({ left: 99.9, width: expect.closeTo(0.5, 5) });
  });

  it("fills the row for a trace with no length", () => {
    expect(barOf(span(0, 0), 0)).toEqual({ left: 0, width: 100 });
  });
});

describe("durations for people", () => {
  it("keeps two digits of precision below 10 ms and rounds above", () => {
    expect([0.423, 3.14, 87.4, 1234].map(formatMs)).toEqual([
      "0.42 ms",
      "3.1 ms",
      "87 ms",
      "1.2 s",
    ]);
  });
});
