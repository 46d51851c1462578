import { describe, expect, it } from "vitest";
import { TraceClaims } from "./trace-claims.ts";

const traceId = (n: number) => n.toString(16).padStart(32, "0");

describe("TraceClaims", () => {
  it("lets the first client to offer an unknown trace claim it, and keep continuing it", () => {
    const claims = new TraceClaims();
    expect(claims.claim(traceId(1), "user:alice")).toBeUndefined();
    expect(claims.claim(traceId(1), "user:alice")).toBeUndefined();
    expect(claims.size).toBe(1);
  });

  it("refuses a trace claimed by another owner, without taking it over", () => {
    const claims = new TraceClaims();
    claims.claim(traceId(1), "user:alice");
    expect(claims.claim(traceId(1), "user:bob")).toBe("another_owner");
    expect(claims.claim(traceId(1), "connection:c1")).toBe("another_owner");
    expect(claims.claim(traceId(1), "user:alice")).toBeUndefined();
  });

  it("refuses every client a trace the server delivered an event of, even its first claimant", () => {
    const claims = new TraceClaims();
    claims.claim(traceId(1), "user:alice");
    claims.markServer(traceId(1));
    claims.markServer(traceId(2));
    expect(claims.claim(traceId(1), "user:alice")).toBe("server_trace");
    expect(claims.claim(traceId(2), "user:bob")).toBe("server_trace");
  });

  it("forgets the oldest entries past its capacity, which become unknown again", () => {
    const claims = new TraceClaims(3);
    claims.markServer(traceId(1));
    claims.claim(traceId(2), "user:alice");
    claims.markServer(traceId(3));
    claims.markServer(traceId(1)); // marking again does not make it younger
    claims.markServer(traceId(4));
    expect(claims.size).toBe(3);
    expect(claims.claim(traceId(1), "user:bob")).toBeUndefined(); // forgotten: claimable
    expect(claims.size).toBe(3); // bob's claim pushed out the next oldest, alice's
    expect(claims.claim(traceId(2), "user:bob")).toBeUndefined();
    expect(claims.claim(traceId(4), "user:bob")).toBe("server_trace");
  });
});
