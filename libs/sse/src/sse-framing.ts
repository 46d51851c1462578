/**
 * Server-Sent Events as the HTML standard frames them: records of `field: value` lines
 * ended by a blank line. Every Gavel event stream writes through these, so a stream's
 * headers and records are the same wherever it is served.
 */

/**
 * The headers of every event stream: never stored (live, often private), never
 * transformed (a compressor or proxy buffer would hold events back; X-Accel-Buffering
 * says so to nginx-style proxies).
 */
export const SSE_HEADERS = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-store, no-transform",
  "x-accel-buffering": "no",
} as const;

/**
 * One event. `data` must be one line (JSON.stringify's output is): a line break would
 * end the field early, so one is refused rather than sent as a broken record.
 */
export function sseEvent(event: string, data: string, id?: number | string): string {
  if (/[\r\n]/.test(data) || /[\r\n]/.test(event))
    throw new Error("an SSE event name or data holds a line break");
  return `${id === undefined ? "" : `id: ${id}\n`}event: ${event}\ndata: ${data}\n\n`;
}

/** A comment line: ignored by EventSource, it keeps proxies from closing an idle stream. */
export function sseComment(text: string): string {
  return `: ${text.replace(/[\r\n]+/g, " ")}\n\n`;
}

/** How long EventSource waits before it reconnects after the stream ends. */
export function sseRetry(ms: number): string {
  return `retry: ${Math.round(ms)}\n\n`;
}
