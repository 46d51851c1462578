import { fill, h } from "../element.ts";
import { deliveriesOf, lastTraced, onDelivery } from "../protocol-log.ts";
import type { RuntimeConfig } from "../runtime-config.ts";
import { traceWaterfall } from "./trace-waterfall.ts";

/**
 * "How this got here": every delivery about the lot with its protocol, the REST links
 * for the same lot, and the last bid's trace, drawn as a waterfall when the edge can read
 * traces (else a link to Jaeger, or the bare trace id). A lot's close continues its
 * winning bid's trace, so a sold lot's waterfall runs on through settlement to the invoice.
 */
export function protocolPanel(lotId: string, config: RuntimeConfig) {
  const list = h("ol", { class: "deliveries", "data-testid": "deliveries" });
  const trace = h("div", { class: "trace" });
  const waterfall = config.traceViewUrl
    ? traceWaterfall(config.traceViewUrl, "The last bid's trace, hop by hop")
    : undefined;
  const raw = `${config.restUrl}/v1/lots/${encodeURIComponent(lotId)}`;
  const element = h(
    "section",
    { class: "panel", "aria-labelledby": "panel-heading" },
    h("h2", { id: "panel-heading" }, "How this got here"),
    h(
      "ul",
      { class: "rest-links" },
      h(
        "li",
        {},
        h("span", { class: "proto proto-rest" }, "REST"),
        " ",
        h("a", { href: raw }, "this lot as JSON"),
      ),
      h(
        "li",
        {},
        h("span", { class: "proto proto-rest" }, "REST"),
        " ",
        h("a", { href: `${config.restUrl}/v1/docs` }, "API docs"),
      ),
    ),
    trace,
    list,
  );

  const render = () => {
    fill(
      list,
      ...deliveriesOf(lotId).map((d) =>
        h(
          "li",
          {},
          h("span", { class: `proto proto-${d.protocol.toLowerCase()}` }, d.protocol),
          " ",
          d.what,
          " ",
          h("time", { datetime: d.at.toISOString() }, d.at.toLocaleTimeString()),
        ),
      ),
    );
    const traced = lastTraced(lotId);
    if (waterfall) {
      if (traced) waterfall.show(traced.traceId!);
      fill(trace, traced && waterfall.element);
      return;
    }
    fill(
      trace,
      traced && config.jaegerUrl
        ? h(
            "a",
            {
              href: `${config.jaegerUrl}/trace/${traced.traceId}`,
              target: "_blank",
              rel: "noopener",
              "data-testid": "trace-link",
            },
            `Trace of the last bid in Jaeger (${traced.traceId!.slice(0, 8)}…)`,
          )
        : traced
          ? `Last bid's trace id: ${traced.traceId}`
          : null,
    );
  };
  render();
  const stopListening = onDelivery((id) => id === lotId && render());
  const stop = () => {
    stopListening();
    waterfall?.stop();
  };
  return { element, stop };
}
