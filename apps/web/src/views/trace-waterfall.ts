import { fill, h } from "../element.ts";
import { barOf, fetchTrace, formatMs, type TraceView } from "../trace-view.ts";

/** Spans reach Jaeger in batches, and a trace grows for seconds (notifications, invoices). */
const FIRST_LOOK_MS = 1_000;
const LOOK_AGAIN_MS = 1_500;
const MAX_LOOKS = 10;

/**
 * A trace drawn as a waterfall: one table row per span (service, operation, protocol) with
 * a bar for when it ran, so the table is what a screen reader reads and the bars are what
 * eyes scan. It reads the trace again while it still grows, and stops when it holds still;
 * `show` with the same trace reads it again (a close arrived: the trace grew).
 */
export function traceWaterfall(viewUrl: string, title: string) {
  const status = h("p", { class: "wf-status", role: "status" });
  // Focusable, so a keyboard can scroll it when a phone is narrower than the table.
  const table = h("div", { class: "wf-scroll", tabindex: 0, role: "region", "aria-label": title });
  const element = h(
    "figure",
    { class: "waterfall", "data-testid": "trace-waterfall" },
    h("figcaption", {}, title),
    status,
    table,
  );
  let shown: string | undefined;
  let reading = false;
  let timer: ReturnType<typeof setTimeout> | undefined;

  function show(traceId: string): void {
    if (traceId === shown && reading) return;
    if (traceId !== shown) {
      status.textContent = `Reading trace ${traceId.slice(0, 8)}… from Jaeger`;
      table.replaceChildren();
    }
    shown = traceId;
    reading = true;
    clearTimeout(timer);
    let looks = 0;
    let lastCount = -1;
    const look = async () => {
      const answer = await fetchTrace(viewUrl, traceId);
      if (shown !== traceId) return;
      looks++;
      if (answer.ok) {
        render(answer.trace);
        const still = answer.trace.spans.length === lastCount;
        lastCount = answer.trace.spans.length;
        if (still || looks >= MAX_LOOKS) return void (reading = false);
      } else if (answer.status !== 404 || looks >= MAX_LOOKS) {
        status.textContent = `No trace to draw: ${answer.message || `status ${answer.status}`}`;
        return void (reading = false);
      }
      timer = setTimeout(() => void look(), LOOK_AGAIN_MS);
    };
    timer = setTimeout(() => void look(), FIRST_LOOK_MS);
  }

  function render(view: TraceView): void {
    const services = new Set(view.spans.map((s) => s.service)).size;
    status.textContent = `${view.spans.length} spans in ${services} services, ${formatMs(view.durationMs)}`;
    fill(
      table,
      h(
        "table",
        {},
        h("caption", { class: "visually-hidden" }, `${title}: trace ${view.traceId}`),
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            h("th", { scope: "col" }, "Service"),
            h("th", { scope: "col" }, "Operation"),
            h("th", { scope: "col" }, "Protocol"),
            h("th", { scope: "col", class: "wf-time" }, "When"),
          ),
        ),
        h("tbody", {}, ...view.spans.map((span) => row(span, view.durationMs))),
      ),
    );
  }

  function row(span: TraceView["spans"][number], total: number) {
    const { left, width } = barOf(span, total);
    const bar = h("span", { class: `wf-bar proto-${protocolClass(span.protocol)}` });
    // Set through the CSSOM: the page's CSP refuses style attributes.
    bar.style.left = `${left}%`;
    bar.style.width = `${width}%`;
    const operation = h("td", { class: "wf-op" }, span.name);
    operation.style.paddingInlineStart = `${0.25 + Math.min(span.depth, 10) * 0.6}rem`;
    return h(
      "tr",
      { class: span.error ? "wf-error" : undefined },
      h("td", {}, span.service),
      operation,
      h("td", {}, span.protocol),
      h(
        "td",
        { class: "wf-time" },
        h("span", { class: "wf-track", "aria-hidden": "true" }, bar),
        h(
          "span",
          { class: "wf-ms" },
          `+${formatMs(span.startMs)}, ${formatMs(span.durationMs)}${span.error ? ", failed" : ""}`,
        ),
      ),
    );
  }

  return {
    element,
    show,
    stop: () => {
      shown = undefined;
      reading = false;
      clearTimeout(timer);
    },
  };
}

const protocolClass = (protocol: string) =>
  protocol
    .toLowerCase()
    .replace(/[^a-z]+/g, "-")
    .replace(/-$/, "");
