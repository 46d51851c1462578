import { createHash } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import { Router, type Request, type Response } from "express";
import {
  ImportLotsRequestSchema,
  type ImportLotsRequest,
  type ImportResult,
} from "@gavel/proto/catalog/v1/catalog";
import type { z } from "zod";
import type { Logger } from "@gavel/logging";
import { requireCaller } from "../http/authentication.ts";
import { cachePolicy } from "../http/http-caching.ts";
import { closeLingering } from "../http/lingering-close.ts";
import { Problem, problemJson, problemOf, type FieldError } from "../http/problem.ts";
import type { PushPaths } from "../api/push-paths.ts";
import { lotJson } from "../api/representations.ts";
import { draftFrom } from "../api/lot-draft.ts";
import { CreateLotBody } from "../api/schemas.ts";
import { onBehalfOf, type Upstream } from "../api/upstream.ts";
import { parse } from "../http/validation.ts";
import { ImportEvents, wantsEventStream, type ImportProgress } from "./import-events.ts";
import { BodyTooLargeError, ndjsonLines } from "./ndjson-lines.ts";
import { methodNotAllowed } from "./route-guards.ts";

/** The catalog imports at most this many items per call (apps/catalog/src/lot-import.ts). */
export const IMPORT_MAX_LINES = 1000;
/** Past this many lines the import stops reading: a client streaming forever is not an import. */
const IMPORT_READ_LIMIT = 10 * IMPORT_MAX_LINES;
export const IMPORT_MAX_BODY_BYTES = 4 * 1024 * 1024;
/** A thousand lots take longer than a unary call may; the services allow at most 60 s. */
const IMPORT_TIMEOUT_MS = 60_000;
const NDJSON = "application/x-ndjson";

type LineResult =
  | { line: number; status: "created"; lot: ReturnType<typeof lotJson> }
  | {
      line: number;
      status: "failed";
      error: { code: string; message: string; errors?: FieldError[] };
    };

/**
 * POST /v1/lots/import: one lot per NDJSON line, streamed to the catalog as the body
 * arrives; lines that are not a valid lot are answered here, and each line on its own.
 * The answer is JSON, or events (import-events.ts).
 * Why: docs/architecture.md#the-rest-edge-appsedge
 */
export function importRoutes(upstream: Upstream, logger: Logger, push: PushPaths): Router {
  const router = Router();
  const context = { upstream, logger, push };
  router
    .route("/lots/import")
    .post(async (req, res) => {
      try {
        await answerImport(req, res, context);
      } finally {
        // Answered before the body's end (too large, too many lines, a failed call): the
        // rest cannot be read as the next request, so the connection closes, lingering
        // so that a client still sending reads the answer.
        if (!req.complete) closeLingering(req, res);
      }
    })
    .all(methodNotAllowed("POST"));
  return router;
}

/** What an import needs of the app: the catalog, a logger, and where live feeds are. */
interface ImportContext {
  upstream: Upstream;
  logger: Logger;
  push: PushPaths;
}

async function answerImport(req: Request, res: Response, context: ImportContext): Promise<void> {
  requireCaller(res);
  requireNdjson(req);
  if (Number(req.get("content-length") ?? 0) > IMPORT_MAX_BODY_BYTES) throw tooLarge();
  if (!wantsEventStream(req)) {
    const answer = await runImport(req, res, context);
    res.set("cache-control", cachePolicy.none).json(answer);
    return;
  }
  // From here the status is 200 whatever happens: a failure is the stream's last event.
  const events = new ImportEvents(res);
  try {
    events.result(await runImport(req, res, context, (p) => events.progress(p)));
  } catch (err) {
    events.problem(problemJson(problemOf(err, context.logger, req), req.originalUrl));
  }
}

/**
 * Streams the body's lots to the catalog as they arrive and answers every line: the ones
 * that are not JSON or not a valid lot here, the others by the catalog's answer.
 */
async function runImport(
  req: Request,
  res: Response,
  { upstream, push }: ImportContext,
  onProgress: (progress: ImportProgress) => void = () => {},
): Promise<ImportAnswer> {
  const key = req.get("idempotency-key");
  const answered: LineResult[] = [];
  const sentLines: number[] = []; // the line of each item the catalog receives, by index
  let bodyError: unknown;
  const progress = () =>
    onProgress({
      lines_read: answered.length + sentLines.length,
      sent_to_catalog: sentLines.length,
      failed_here: answered.length,
    });

  async function* items(): AsyncGenerator<ImportLotsRequest> {
    try {
      for await (const { line, text } of bodyLines(req)) {
        if (answered.length + sentLines.length >= IMPORT_READ_LIMIT) throw tooManyLines();
        const item = lineItem(text, answered.length + sentLines.length);
        if ("error" in item) {
          answered.push({ line, status: "failed", error: item.error });
          progress();
          continue;
        }
        sentLines.push(line);
        // With an Idempotency-Key, a retried import creates each line's lot once.
        const requestId = key ? lineRequestId(key, line) : "";
        yield create(ImportLotsRequestSchema, { lot: draftFrom(item.lot), requestId });
        progress(); // the catalog's stream took it
      }
    } catch (err) {
      bodyError = err;
      throw err;
    }
  }

  const options = { ...onBehalfOf(req, res), timeoutMs: IMPORT_TIMEOUT_MS };
  const response = await upstream.catalog.importLots(items(), options).catch((err: unknown) => {
    throw bodyError ?? err;
  });
  const results = [
    ...answered,
    ...response.results.map((r) => catalogResult(sentLines[r.index] ?? 0, r, push)),
  ].sort((a, b) => a.line - b.line);
  const created = results.filter((r) => r.status === "created").length;
  return { created, failed: results.length - created, results };
}

interface ImportAnswer {
  created: number;
  failed: number;
  results: LineResult[];
}

/** The body's non-blank lines with their numbers; a 413 problem once it passes the limit. */
async function* bodyLines(req: Request): AsyncGenerator<{ line: number; text: string }> {
  try {
    yield* ndjsonLines(req, IMPORT_MAX_BODY_BYTES);
  } catch (err) {
    if (err instanceof BodyTooLargeError) throw tooLarge();
    // The client went away mid-body ("aborted"): nothing to answer, nothing to log.
    if (req.destroyed && !req.complete) throw clientGone();
    throw err;
  }
}

/** A line as a lot to send, or the error it is answered with. */
function lineItem(
  text: string,
  position: number,
):
  | { lot: z.infer<typeof CreateLotBody> }
  | { error: Extract<LineResult, { status: "failed" }>["error"] } {
  if (position >= IMPORT_MAX_LINES) {
    const message = `only the first ${IMPORT_MAX_LINES} lines are imported`;
    return { error: { code: "resource_exhausted", message } };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { error: { code: "invalid_argument", message: `not JSON: ${(err as Error).message}` } };
  }
  try {
    return { lot: parse(CreateLotBody, value, "body") };
  } catch (err) {
    if (!(err instanceof Problem)) throw err;
    const errors = err.extensions.errors as FieldError[];
    return { error: { code: "invalid_argument", message: err.message, errors } };
  }
}

function catalogResult(line: number, result: ImportResult, push: PushPaths): LineResult {
  if (result.outcome.case === "lot")
    return { line, status: "created", lot: lotJson(result.outcome.value, push) };
  const error = result.outcome.value;
  const violations = error?.fieldViolations ?? [];
  return {
    line,
    status: "failed",
    error: {
      code: error?.code ?? "unknown",
      message: error?.message ?? "",
      ...(violations.length
        ? { errors: violations.map((v) => ({ field: v.field, message: v.description })) }
        : {}),
    },
  };
}

/** A CreateLot request id (1 to 64 of [A-Za-z0-9_-]) for one line of a keyed import. */
function lineRequestId(key: string, line: number): string {
  return createHash("sha256").update(`${key}\n${line}`).digest("base64url");
}

function requireNdjson(req: Request): void {
  const type = req.get("content-type")?.split(";")[0]?.trim().toLowerCase();
  if (type === NDJSON) return;
  throw new Problem(
    415,
    "unsupported-media-type",
    "Unsupported media type",
    `send the lots as ${NDJSON}, one JSON object per line`,
    { headers: { "accept-post": NDJSON } },
  );
}

function tooLarge(): Problem {
  return new Problem(
    413,
    "body-too-large",
    "The body is too large",
    `an import body takes at most ${IMPORT_MAX_BODY_BYTES} bytes`,
  );
}

function clientGone(): Problem {
  return new Problem(
    499,
    "client-closed-request",
    "The client closed the request",
    "the connection closed before the body's end",
  );
}

function tooManyLines(): Problem {
  return new Problem(
    413,
    "body-too-large",
    "The body is too large",
    `an import takes at most ${IMPORT_MAX_LINES} lines`,
  );
}
