/**
 * A Server-Sent Events response read as raw text, for tests that wait until a line
 * (an `event:`, a `: live after` comment) has arrived, whatever came before it.
 */
export class SseText {
  #text = "";
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  readonly #decoder = new TextDecoder();

  constructor(res: Response) {
    if (res.status !== 200 || !res.body)
      throw new Error(`an SSE stream answers 200, not ${res.status}`);
    this.#reader = res.body.getReader();
  }

  /** Everything received so far. */
  get text(): string {
    return this.#text;
  }

  /** Reads until `fragment` has arrived; throws if the stream ends first. */
  async waitFor(fragment: string): Promise<void> {
    while (!this.#text.includes(fragment)) {
      const { value, done } = await this.#reader.read();
      if (done) throw new Error(`the stream ended before "${fragment}": ${this.#text}`);
      this.#text += this.#decoder.decode(value, { stream: true });
    }
  }

  /** Reads until the server ends the stream; everything received. */
  async ended(): Promise<string> {
    for (;;) {
      const { value, done } = await this.#reader.read();
      if (done) return this.#text;
      this.#text += this.#decoder.decode(value, { stream: true });
    }
  }
}
