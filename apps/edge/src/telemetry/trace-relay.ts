import express, { Router, type Request, type Response } from "express";
import type { Logger } from "@gavel/logging";
import { checkExportRequest } from "./otlp-export-request.ts";
import { Problem } from "../http/problem.ts";

/** Where the page POSTs its spans: OTLP/HTTP's own path, under /otlp. */
export const TRACE_RELAY_PATH = "/otlp/v1/traces";
/** Far more than a batch of 512 browser spans takes as JSON (about 100-150 KiB). */
export const RELAY_BODY_LIMIT_BYTES = 256 * 1024;
const FORWARD_TIMEOUT_MS = 5_000;
const WARNING_INTERVAL_MS = 10_000;

/** The settings relayTarget reads: the edge's config, or any environment. */
export interface RelayTargetSettings {
  GAVEL_WEB_OTLP_TRACES_URL?: string | undefined;
  OTEL_TRACES_EXPORTER?: string | undefined;
  OTEL_EXPORTER_OTLP_ENDPOINT?: string | undefined;
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?: string | undefined;
  OTEL_EXPORTER_OTLP_PROTOCOL?: string | undefined;
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL?: string | undefined;
}

/** OTLP protocols whose endpoint takes a JSON POST; unset is the Node SDK's default. */
const HTTP_PROTOCOLS = new Set([undefined, "http/protobuf", "http/json"]);

/**
 * Where the page's spans go: GAVEL_WEB_OTLP_TRACES_URL, else wherever the edge's own
 * spans go by the standard OTEL_* variables (an empty one counts as unset, as the SDK
 * reads it), as long as that is an OTLP/HTTP endpoint. Undefined turns the relay off:
 * when the edge exports over gRPC, exports no traces, or has no endpoint.
 */
export function relayTarget(settings: RelayTargetSettings): string | undefined {
  const set = (v: string | undefined) => (v?.trim() ? v.trim() : undefined);
  const explicit = set(settings.GAVEL_WEB_OTLP_TRACES_URL);
  if (explicit) return explicit;
  const exporters = (set(settings.OTEL_TRACES_EXPORTER) ?? "otlp").split(",").map((e) => e.trim());
  if (!exporters.includes("otlp")) return undefined;
  const protocol =
    set(settings.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL) ?? set(settings.OTEL_EXPORTER_OTLP_PROTOCOL);
  if (!HTTP_PROTOCOLS.has(protocol)) return undefined;
  const traces = set(settings.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
  if (traces) return traces;
  const base = set(settings.OTEL_EXPORTER_OTLP_ENDPOINT);
  return base ? `${base.replace(/\/+$/, "")}/v1/traces` : undefined;
}

export interface TraceRelayOptions {
  /** The collector's OTLP/HTTP traces URL; undefined answers every POST with 404. */
  target: string | undefined;
  logger: Logger;
}

/**
 * POST /otlp/v1/traces: the page's spans, relayed to the collector, so a browser never
 * needs a way (or CORS) to the collector itself. OTLP/HTTP JSON only, checked by
 * checkExportRequest, and sent on byte for byte; the answer is the collector's, or a
 * problem the page's exporter may retry (502, 503 and 429 are retryable in OTLP/HTTP).
 */
export function traceRelay(options: TraceRelayOptions): Router {
  const router = Router();
  let lastWarning = 0;
  const warn = (fields: Record<string, unknown>, message: string) => {
    if (Date.now() - lastWarning < WARNING_INTERVAL_MS) return; // one browser retries often
    lastWarning = Date.now();
    options.logger.warn({ target: options.target, ...fields }, message);
  };
  router.post("/", (req, _res, next) => {
    if (!options.target)
      throw new Problem(
        404,
        "trace-relay-off",
        "Not found",
        "the edge relays no traces: no OTLP/HTTP endpoint is configured",
      );
    if (!req.is("application/json"))
      throw new Problem(
        415,
        "unsupported-media-type",
        "Unsupported media type",
        "send OTLP/HTTP JSON (content-type: application/json); protobuf is not relayed",
      );
    next();
  });
  router.post("/", rawJson, async (req, res) => {
    const body = req.body as Buffer;
    checkExportRequest(parseJson(body));
    let answer: globalThis.Response;
    try {
      answer = await fetch(options.target!, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: new Uint8Array(body),
        signal: AbortSignal.timeout(FORWARD_TIMEOUT_MS),
      });
    } catch (err) {
      warn({ err }, "the page's spans were not relayed: the collector is unreachable");
      throw collectorProblem(502, "the trace collector could not be reached; retry shortly");
    }
    await answerLikeCollector(answer, res, warn);
  });
  router.all("/", () => {
    throw new Problem(405, "method-not-allowed", "Method not allowed", "POST spans here", {
      headers: { allow: "POST" },
    });
  });
  return router;
}

/** The body as bytes, at most RELAY_BODY_LIMIT_BYTES (inflated, if it came compressed). */
const rawBody = express.raw({ type: "application/json", limit: RELAY_BODY_LIMIT_BYTES });
const rawJson = (req: Request, res: Response, next: (err?: unknown) => void) =>
  rawBody(req, res, (err?: unknown) => {
    if ((err as { type?: string } | undefined)?.type === "entity.too.large")
      return next(
        new Problem(
          413,
          "body-too-large",
          "The body is too large",
          `at most ${RELAY_BODY_LIMIT_BYTES / 1024} KiB of spans per request`,
        ),
      );
    next(err);
  });

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString("utf8"));
  } catch (err) {
    throw new Problem(400, "malformed-json", "The body is not valid JSON", (err as Error).message);
  }
}

/**
 * A success goes back as the collector sent it (`{}`, or a partialSuccess). Refusals
 * are the page's to know about; a collector that is overloaded or failing is a 502 or
 * 503 to retry, never the page's fault.
 */
async function answerLikeCollector(
  answer: globalThis.Response,
  res: Response,
  warn: (fields: Record<string, unknown>, message: string) => void,
): Promise<void> {
  const text = await answer.text().catch(() => "");
  if (answer.ok) {
    res
      .status(answer.status)
      .type("application/json")
      .send(text.trim() || "{}");
    return;
  }
  warn(
    { status: answer.status, body: text.slice(0, 200) },
    "the collector refused the page's spans",
  );
  if (answer.status === 429 || answer.status === 503)
    throw collectorProblem(answer.status, "the trace collector is busy; retry shortly", answer);
  if (answer.status >= 500)
    throw collectorProblem(502, "the trace collector failed; retry shortly", answer);
  throw new Problem(
    400,
    "spans-refused",
    "The collector refused the spans",
    `the collector answered ${answer.status}: ${text.slice(0, 200)}`,
  );
}

function collectorProblem(status: number, detail: string, answer?: globalThis.Response): Problem {
  const retryAfter = answer?.headers.get("retry-after") ?? "5";
  return new Problem(status, "collector-unavailable", "Traces cannot be relayed now", detail, {
    headers: { "retry-after": retryAfter },
  });
}
