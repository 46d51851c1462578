import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { Close, parseClientMessage, serverMessage } from "./protocol.ts";

const valid = {
  subscribe: { v: 1, type: "subscribe", id: "1", channel: "lot:l-1", after: 0 },
  unsubscribe: { v: 1, type: "unsubscribe", id: "2", channel: "lot:l-1" },
  bid: {
    v: 1,
    type: "bid",
    id: "3",
    lotId: "l-1",
    bidId: "b-1",
    amount: { currency: "EUR", amountMinor: "999999999999999999" },
  },
  authenticate: { v: 1, type: "authenticate", id: "4", token: "t".repeat(4096) },
  ping: { v: 1, type: "ping", id: "x".repeat(64) },
};

const parse = (message: unknown) => parseClientMessage(JSON.stringify(message));
const money = (currency: string, amountMinor: unknown) => ({
  ...valid.bid,
  amount: { currency, amountMinor },
});

describe("parseClientMessage", () => {
  it.each(Object.entries(valid))("reads a valid %s", (_type, message) => {
    expect(parse(message)).toEqual({ ok: true, message });
  });

  it("takes any traceparent, which tracing ignores when malformed", () => {
    for (const traceparent of ["junk", 42, { a: 1 }, null]) {
      expect(parse({ ...valid.subscribe, traceparent }).ok).toBe(true);
      expect(parse({ ...valid.bid, traceparent }).ok).toBe(true);
    }
  });

  it.each([
    ["another version", { ...valid.ping, v: 2 }, "v"],
    ["no version", { type: "ping", id: "1" }, "v"],
    ["an unknown type", { v: 1, type: "publish", id: "1", channel: "lot:l-1" }, "type"],
    ["an empty id", { ...valid.ping, id: "" }, "id"],
    ["an id over 64 characters", { ...valid.ping, id: "x".repeat(65) }, "id"],
    ["a numeric id", { ...valid.ping, id: 1 }, "id"],
    ["no channel", { v: 1, type: "subscribe", id: "1" }, "channel"],
    ["an empty channel", { ...valid.unsubscribe, channel: "" }, "channel"],
    ["a channel over 200 characters", { ...valid.subscribe, channel: "c".repeat(201) }, "channel"],
    ["a negative after", { ...valid.subscribe, after: -1 }, "after"],
    ["a fractional after", { ...valid.subscribe, after: 1.5 }, "after"],
    ["a string after", { ...valid.subscribe, after: "10" }, "after"],
    ["an amount as a number", money("EUR", 100), "amount.amountMinor"],
    ["19 digits", money("EUR", "1".repeat(19)), "amount.amountMinor"],
    ["a negative amount", money("EUR", "-1"), "amount.amountMinor"],
    ["a decimal amount", money("EUR", "1.5"), "amount.amountMinor"],
    ["a 2-letter currency", money("EU", "1"), "amount.currency"],
    ["an empty bid id", { ...valid.bid, bidId: "" }, "bidId"],
    ["a lot id over 64", { ...valid.bid, lotId: "l".repeat(65) }, "lotId"],
    ["a token over 4096", { ...valid.authenticate, token: "t".repeat(4097) }, "token"],
  ] as const)("refuses %s, naming the field", (_what, message, field) => {
    expect(parse(message)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(`^${field}: `),
    });
  });

  it("echoes the id of a refused message so the client can match the error", () => {
    expect(parse({ ...valid.bid, lotId: "" })).toMatchObject({ ok: false, id: "3" });
    const long = parse({ ...valid.ping, id: "x".repeat(500) });
    expect(long).toMatchObject({ ok: false, id: "x".repeat(64) });
  });

  it.each(["", "{", "not json", "null", "42", '"ping"', "[]", "[{}]", "{}"])(
    "refuses %j without an id and without throwing",
    (text) => {
      const result = parseClientMessage(text);
      expect(result.ok).toBe(false);
      expect(result).not.toHaveProperty("id");
    },
  );
});

describe("server messages", () => {
  it("put messages in a batch in order, mixing replies and shared event bytes", () => {
    const event = Buffer.from('{"v":1,"type":"event","seq":7}');
    const batch = serverMessage.batch([Buffer.from(serverMessage.pong("1")), event]);
    expect(JSON.parse(batch.toString())).toEqual({
      v: 1,
      type: "batch",
      messages: [
        { v: 1, type: "pong", id: "1" },
        { v: 1, type: "event", seq: 7 },
      ],
    });
  });

  it("open a batch inside a batch, so batches never nest", () => {
    const event = (seq: number) => Buffer.from(`{"v":1,"type":"event","seq":${seq}}`);
    const inner = serverMessage.batch([event(2), event(3)]);
    const batch = serverMessage.batch([event(1), inner, event(4)]);
    expect(JSON.parse(batch.toString()).messages.map((m: { seq: number }) => m.seq)).toEqual([
      1, 2, 3, 4,
    ]);
  });

  it("give a guest's welcome no user and no expiry, a user's an ISO expiry", () => {
    expect(JSON.parse(serverMessage.welcome("c-1", undefined, "push-a", undefined))).toEqual({
      v: 1,
      type: "welcome",
      connectionId: "c-1",
      replica: "push-a",
    });
    const welcome = JSON.parse(serverMessage.welcome("c-1", "u-1", "push-a", 0));
    expect(welcome).toMatchObject({ userId: "u-1", expiresAt: "1970-01-01T00:00:00.000Z" });
  });

  it("close only with codes docs/push-protocol.md tells clients how to handle", () => {
    const doc = readFileSync(new URL("../../../../docs/push-protocol.md", import.meta.url), "utf8");
    const documented = [...doc.matchAll(/^\| (\d{4}) \|/gm)].map((match) => Number(match[1]));
    const { normal: _needsNoHandling, ...actionable } = Close;
    expect(documented).toEqual(expect.arrayContaining(Object.values(actionable)));
  });
});
