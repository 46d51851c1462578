import { describe, expect, it } from "vitest";
import { readEventStream, type StreamEvent } from "./event-stream.ts";

/** A body that arrives in the given pieces. */
function body(...chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
}

async function all(stream: ReadableStream<Uint8Array>): Promise<StreamEvent[]> {
  const events: StreamEvent[] = [];
  for await (const event of readEventStream(stream)) events.push(event);
  return events;
}

describe("readEventStream", () => {
  it("reads named events, joins data lines, skips comments and unknown fields", async () => {
    const text =
      ': a comment\nevent: progress\ndata: {"n":1}\n\nid: 7\ndata: a\ndata:b\n\nevent: done\ndata\n\n';
    expect(await all(body(text))).toEqual([
      { event: "progress", data: '{"n":1}' },
      { event: "message", data: "a\nb" },
      { event: "done", data: "" },
    ]);
  });

  it("reads events split anywhere across chunks, CRLF included", async () => {
    const text = "event: progress\r\ndata: 1\r\n\r\nevent: result\r\ndata: 2\r\n\r\n";
    for (let cut = 1; cut < text.length; cut++) {
      expect(await all(body(text.slice(0, cut), text.slice(cut))), `cut at ${cut}`).toEqual([
        { event: "progress", data: "1" },
        { event: "result", data: "2" },
      ]);
    }
  });

  it("does not dispatch an event the stream ended before its blank line", async () => {
    expect(await all(body("event: result\ndata: 2\n"))).toEqual([]);
  });
});
