import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { BodyTooLargeError, ndjsonLines } from "./ndjson-lines.ts";

async function lines(chunks: Array<string | Buffer>, maxBytes = 1000) {
  const out: Array<[number, string]> = [];
  for await (const { line, text } of ndjsonLines(
    Readable.from(chunks.map((c) => Buffer.from(c))),
    maxBytes,
  ))
    out.push([line, text]);
  return out;
}

describe("NDJSON lines", () => {
  it("end at \\n only, keeping U+2028 and U+2029 inside a line, and drop a \\r before it", async () => {
    expect(await lines(['{"a":"x\u2028y"}\r\n{"b":"\u2029"}\n'])).toEqual([
      [1, '{"a":"x\u2028y"}'],
      [2, '{"b":"\u2029"}'],
    ]);
  });

  it("number blank lines without yielding them, and yield a last line without \\n", async () => {
    expect(await lines(["a\n\n  \n", "b"])).toEqual([
      [1, "a"],
      [4, "b"],
    ]);
  });

  it("join lines and characters split across chunks", async () => {
    const euro = Buffer.from("€");
    expect(
      await lines([
        "ab",
        Buffer.concat([Buffer.from("c"), euro.subarray(0, 1)]),
        euro.subarray(1),
        "\nd\n",
      ]),
    ).toEqual([
      [1, "abc€"],
      [2, "d"],
    ]);
  });

  it("stop past the limit, even inside one line, leaving the stream up", async () => {
    const input = Readable.from([
      Buffer.alloc(600, "x"),
      Buffer.alloc(600, "x"),
      Buffer.from("\n"),
    ]);
    const read = async () => {
      for await (const _ of ndjsonLines(input, 1000)) void _;
    };
    await expect(read()).rejects.toBeInstanceOf(BodyTooLargeError);
    expect(input.destroyed).toBe(false);
  });
});
