import type { Readable } from "node:stream";
import { StringDecoder } from "node:string_decoder";

/** The body went past its limit; reading stopped there, the rest left unread. */
export class BodyTooLargeError extends Error {
  override name = "BodyTooLargeError";
}

/**
 * The non-blank lines of an NDJSON body with their numbers, counting every line from 1.
 * A line ends at \n only (a \r before it is dropped): JSON strings may hold U+2028 and
 * U+2029, which node:readline would take for line ends. Past maxBytes it stops reading,
 * even inside one endless line, without destroying the stream, so an answer can still
 * go out on its connection.
 */
export async function* ndjsonLines(
  input: Readable,
  maxBytes: number,
): AsyncGenerator<{ line: number; text: string }> {
  const decoder = new StringDecoder("utf8");
  let received = 0;
  let line = 0;
  let partial = "";
  const complete = function* (text: string) {
    line++;
    const trimmed = text.endsWith("\r") ? text.slice(0, -1) : text;
    if (trimmed.trim() !== "") yield { line, text: trimmed };
  };
  for await (const chunk of input.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
    received += chunk.length;
    if (received > maxBytes) throw new BodyTooLargeError(`the body is over ${maxBytes} bytes`);
    const text = decoder.write(chunk);
    if (!text.includes("\n")) {
      partial += text;
      continue;
    }
    const lines = (partial + text).split("\n");
    partial = lines.pop()!;
    for (const each of lines) yield* complete(each);
  }
  partial += decoder.end();
  if (partial !== "") yield* complete(partial);
}
