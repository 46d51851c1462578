import { SSE_HEADERS, sseEvent } from "@gavel/sse";
import type { Request, Response } from "express";

/** How far an import has got: what the body held so far, and where each line went. */
export interface ImportProgress {
  /** Lines with a lot read from the body (blank lines are skipped, not counted). */
  lines_read: number;
  /** Lines passed on to the catalog, which creates them in order as they arrive. */
  sent_to_catalog: number;
  /** Lines answered at the edge: not JSON, or not a valid lot. */
  failed_here: number;
}

/** At most this many progress events a second; the last one always goes out. */
const PROGRESS_EVERY_MS = 100;

export const EVENT_STREAM = "text/event-stream";
export const EVENT_STREAM_CACHE_CONTROL = SSE_HEADERS["cache-control"];

/** True when the client prefers a stream of events to one JSON answer. */
export function wantsEventStream(req: Request): boolean {
  return req.accepts(["application/json", EVENT_STREAM]) === EVENT_STREAM;
}

/**
 * The import's answer as Server-Sent Events (`Accept: text/event-stream`): `progress`
 * events while the body is read, then one `result` event holding what the JSON answer
 * would, or one `problem` event. Read with fetch, not resumable.
 * Why: docs/architecture.md#the-rest-edge-appsedge
 */
export class ImportEvents {
  readonly #res: Response;
  #pending: ImportProgress | undefined;
  #timer: NodeJS.Timeout | undefined;
  #lastSentAt = 0;

  constructor(res: Response) {
    this.#res = res;
    // no-transform also keeps the compression middleware from holding events back.
    res.status(200).set(SSE_HEADERS).flushHeaders();
  }

  progress(progress: ImportProgress): void {
    this.#pending = { ...progress };
    const wait = this.#lastSentAt + PROGRESS_EVERY_MS - Date.now();
    if (wait <= 0) this.#flush();
    else this.#timer ??= setTimeout(() => this.#flush(), wait);
  }

  result(body: unknown): void {
    this.#end("result", body);
  }

  problem(document: Record<string, unknown>): void {
    this.#end("problem", document);
  }

  #flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (!this.#pending) return;
    this.#write("progress", this.#pending);
    this.#pending = undefined;
    this.#lastSentAt = Date.now();
  }

  #end(event: string, data: unknown): void {
    this.#flush();
    this.#write(event, data);
    this.#res.end();
  }

  #write(event: string, data: unknown): void {
    if (!this.#res.writableEnded) this.#res.write(sseEvent(event, JSON.stringify(data)));
  }
}
