import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openSocketPair, type SocketPair } from "../../test/fixtures/socket-pair.ts";
import { framePayload, textFrame } from "./ws-frame.ts";

/** A text of exactly `bytes` UTF-8 bytes, a two-byte character in it. */
const textOf = (bytes: number) => `é${"x".repeat(bytes - 2)}`;

// Each length field: 7 bits (< 126), 16 bits (126..65,535), 64 bits (65,536 and more).
const lengths = [2, 125, 126, 65_535, 65_536, 200_000];

describe("a text frame built once, written to the socket", () => {
  let pair: SocketPair;
  beforeEach(async () => {
    pair = await openSocketPair();
  });
  afterEach(() => pair.close());

  it.each(lengths)("reaches a ws client as one text message of %i bytes", async (bytes) => {
    const text = textOf(bytes);
    expect(Buffer.byteLength(text)).toBe(bytes);
    pair.socket.write(textFrame(text));
    expect(await pair.receivedCount(1)).toEqual([text]);
  });

  it("reaches a ws client between ws's own frames, each message whole", async () => {
    pair.server.send("from ws");
    pair.socket.write(textFrame(textOf(70_000)));
    pair.server.send("from ws again");
    expect(await pair.receivedCount(3)).toEqual(["from ws", textOf(70_000), "from ws again"]);
  });
});

describe("a text frame's payload", () => {
  it.each(lengths)("is its %i bytes of text, a view of the frame", (bytes) => {
    const frame = textFrame(textOf(bytes));
    const payload = framePayload(frame);
    expect(payload.toString()).toBe(textOf(bytes));
    expect(payload.buffer).toBe(frame.buffer);
    expect(frame.length - payload.length).toBe(bytes < 126 ? 2 : bytes < 65_536 ? 4 : 10);
  });
});
