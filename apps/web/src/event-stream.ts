/** One event of a text/event-stream: its type (`message` when unnamed) and its data. */
export interface StreamEvent {
  event: string;
  data: string;
}

/**
 * The events of a streamed response (text/event-stream), as they arrive: for an answer
 * that EventSource cannot read, a POST's. Follows the format's rules: `event:` and `data:`
 * fields (several data lines join with a newline), comments (`:`) and unknown fields
 * ignored, LF, CRLF or CR line ends, one optional space after the colon.
 */
export async function* readEventStream(
  body: ReadableStream<Uint8Array>,
): AsyncGenerator<StreamEvent> {
  const decoder = new TextDecoder();
  let buffer = "";
  let event = "";
  let data: string[] = [];
  const reader = body.getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      buffer += done ? decoder.decode() : decoder.decode(value, { stream: true });
      // A CR at the end may be the first half of a CRLF: wait for what follows it.
      const carry = !done && buffer.endsWith("\r") ? "\r" : "";
      const lines = buffer.slice(0, buffer.length - carry.length).split(/\r\n|\r|\n/);
      // The last piece is a line not ended yet; at the end of the stream, one never ended
      // (and an event without its blank line) is dropped, as the format says.
      buffer = (lines.pop() ?? "") + carry;
      for (const line of lines) {
        if (line === "") {
          if (data.length) yield { event: event || "message", data: data.join("\n") };
          event = "";
          data = [];
          continue;
        }
        if (line.startsWith(":")) continue;
        const colon = line.indexOf(":");
        const field = colon < 0 ? line : line.slice(0, colon);
        const text = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
        if (field === "event") event = text;
        else if (field === "data") data.push(text);
      }
      if (done) return;
    }
  } finally {
    reader.releaseLock();
  }
}
