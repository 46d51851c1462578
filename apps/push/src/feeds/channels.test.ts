import { create, toBinary, type MessageInitShape } from "@bufbuild/protobuf";
import { LotEventSchema } from "@gavel/proto/lot/v1/lot_events";
import { NotificationSchema } from "@gavel/proto/notification/v1/notifications";
import { describe, expect, it } from "vitest";
import { parseChannel } from "./channels.ts";
import { framePayload } from "../ws/ws-frame.ts";

const TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";

describe("parseChannel", () => {
  it("reads a lot's channel as its subject in the lot events stream", () => {
    expect(parseChannel("lot:0193-abc_D")).toMatchObject({
      name: "lot:0193-abc_D",
      kind: "lot",
      id: "0193-abc_D",
      stream: "LOT_EVENTS",
      subject: "gavel.lot.0193-abc_D",
      wildcard: "gavel.lot.*",
    });
  });

  it("reads a user's channel as their subject in the notifications stream", () => {
    expect(parseChannel("user:u-1")).toMatchObject({
      kind: "user",
      id: "u-1",
      stream: "NOTIFICATIONS",
      subject: "gavel.notify.u-1",
      wildcard: "gavel.notify.*",
    });
  });

  it("accepts ids of up to 64 characters", () => {
    expect(parseChannel(`lot:${"a".repeat(64)}`)?.id).toHaveLength(64);
  });

  it.each([
    ["empty", ""],
    ["a kind alone", "lot"],
    ["an empty id", "lot:"],
    ["an unknown kind", "bid:1"],
    ["an upper-case kind", "LOT:1"],
    ["a third part", "lot:1:2"],
    ["a subject separator", "lot:1.2"],
    ["a wildcard", "lot:*"],
    ["a tail wildcard", "user:>"],
    ["a space", "lot:1 2"],
    ["a newline (an SSE record break)", "lot:1\n\nevent: x"],
    ["a non-ASCII id", "lot:é"],
    ["an id of 65 characters", `lot:${"a".repeat(65)}`],
  ])("refuses %s", (_what, name) => {
    expect(parseChannel(name)).toBeUndefined();
  });
});

describe("a channel's decoded event", () => {
  const lot = parseChannel("lot:l-1")!;
  const cancelled = (reason: string) =>
    toBinary(
      LotEventSchema,
      create(LotEventSchema, { lotId: "l-1", kind: { case: "cancelled", value: { reason } } }),
    );

  it("is the protocol's event message, with the trace id when it has one", () => {
    const event = lot.decode(42, cancelled("withdrawn"), TRACE_ID);
    expect(event).toMatchObject({ channel: "lot:l-1", seq: 42, type: "cancelled" });
    expect(JSON.parse(framePayload(event.frame).toString())).toEqual({
      v: 1,
      type: "event",
      channel: "lot:l-1",
      seq: 42,
      event: "cancelled",
      traceId: TRACE_ID,
      data: { lotId: "l-1", cancelled: { reason: "withdrawn" } },
    });
    expect(
      JSON.parse(framePayload(lot.decode(42, cancelled("withdrawn")).frame).toString()),
    ).not.toHaveProperty("traceId");
  });

  it("is one SSE record whose id is the sequence, even when the data holds newlines", () => {
    const reason = "first\n\nid: 999\nevent: won\ndata: {}\n\n";
    const sse = lot.decode(7, cancelled(reason)).sse.toString();
    const lines = sse.split("\n");
    expect(lines.slice(0, 2)).toEqual(["id: 7", "event: cancelled"]);
    expect(lines.slice(3)).toEqual(["", ""]);
    expect(JSON.parse(lines[2]!.replace(/^data: /, ""))).toMatchObject({
      cancelled: { reason },
    });
  });

  it.each([
    ["outbid", "outbid"],
    ["won", "won"],
    ["closingSoon", "closing_soon"],
    ["invoiceReady", "invoice_ready"],
  ] as const)("names a %s notification %s", (kind, type) => {
    const user = parseChannel("user:u-1")!;
    const message = create(NotificationSchema, {
      userId: "u-1",
      kind: { case: kind, value: {} },
    } as MessageInitShape<typeof NotificationSchema>);
    const event = user.decode(3, toBinary(NotificationSchema, message));
    expect(event.type).toBe(type);
    expect(event.sse.toString()).toContain(`\nevent: ${type}\n`);
    expect(JSON.parse(framePayload(event.frame).toString())).toMatchObject({
      event: type,
      channel: "user:u-1",
    });
  });
});
