import { describe, expect, it } from "vitest";
import { parseTraceparent } from "./traceparent.ts";

const TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
const SPAN_ID = "00f067aa0ba902b7";

describe("parseTraceparent", () => {
  it("reads a version 00 context, sampled or not, as a remote parent", () => {
    expect(parseTraceparent(`00-${TRACE_ID}-${SPAN_ID}-01`)).toEqual({
      traceId: TRACE_ID,
      spanId: SPAN_ID,
      traceFlags: 1,
      isRemote: true,
    });
    expect(parseTraceparent(`00-${TRACE_ID}-${SPAN_ID}-00`)?.traceFlags).toBe(0);
  });

  it("keeps only the sampled flag, the one version 00 defines", () => {
    expect(parseTraceparent(`00-${TRACE_ID}-${SPAN_ID}-ff`)?.traceFlags).toBe(1);
  });

  it.each([
    ["a number", 42],
    ["an object", { traceId: TRACE_ID }],
    ["null", null],
    ["undefined", undefined],
    ["an empty string", ""],
    ["uppercase hex", `00-${TRACE_ID.toUpperCase()}-${SPAN_ID}-01`],
    ["another version", `01-${TRACE_ID}-${SPAN_ID}-01`],
    ["version ff", `ff-${TRACE_ID}-${SPAN_ID}-01`],
    ["a short trace id", `00-${TRACE_ID.slice(1)}-${SPAN_ID}-01`],
    ["a short span id", `00-${TRACE_ID}-${SPAN_ID.slice(1)}-01`],
    ["missing flags", `00-${TRACE_ID}-${SPAN_ID}`],
    ["trailing data", `00-${TRACE_ID}-${SPAN_ID}-01-extra`],
    ["surrounding spaces", ` 00-${TRACE_ID}-${SPAN_ID}-01 `],
    ["non-hex characters", `00-${TRACE_ID.slice(0, 31)}g-${SPAN_ID}-01`],
    ["an all-zero trace id", `00-${"0".repeat(32)}-${SPAN_ID}-01`],
    ["an all-zero span id", `00-${TRACE_ID}-${"0".repeat(16)}-01`],
    ["a very long string", `00-${TRACE_ID}-${SPAN_ID}-01`.repeat(100)],
  ])("ignores %s", (_name, value) => {
    expect(parseTraceparent(value)).toBeUndefined();
  });
});
