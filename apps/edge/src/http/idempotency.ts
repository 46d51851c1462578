import { createHash } from "node:crypto";
import type { Request, RequestHandler, Response } from "express";
import type { KV } from "@nats-io/kv";
import type { Logger } from "@gavel/logging";
import { isNatsUnavailable } from "@gavel/nats";
import { callerOf } from "./authentication.ts";
import { Problem } from "./problem.ts";
import { IdempotencyKey } from "../api/schemas.ts";

/**
 * The headers a replay repeats; the rest (rate limits, dates) describe the new response.
 * Allow and WWW-Authenticate belong to the 405 and 401 they came with (RFC 9110 requires
 * them there), Accept-Post to the 415.
 */
const REPLAYED_HEADERS = [
  "content-type",
  "location",
  "etag",
  "cache-control",
  "link",
  "allow",
  "www-authenticate",
  "accept-post",
];
/** Larger responses are not kept: a retry runs the request again. */
const MAX_STORED_BODY_BYTES = 256 * 1024;
/** An older in-progress record belongs to a request whose replica died; a retry takes over. */
const IN_PROGRESS_LEASE_MS = 5 * 60_000;

type IdempotencyRecord =
  | { state: "in-progress"; fingerprint: string; started_at: number }
  | {
      state: "done";
      fingerprint: string;
      status: number;
      headers: Record<string, string>;
      /** base64 */
      body: string;
    };
type Done = Extract<IdempotencyRecord, { state: "done" }>;

/**
 * Idempotency keys for POST: the first request with a key runs and its response is
 * recorded (5xx are not, so the client can retry); a retry with the same key and body
 * gets the recorded response again, with `Idempotent-Replayed: true`. Keys are scoped
 * to the caller, method and path. Mount after authentication.
 */
export function idempotency(kv: KV, logger: Logger): RequestHandler {
  return async (req, res, next) => {
    if (req.method !== "POST") return next();
    const key = req.get("idempotency-key");
    if (key === undefined) return next();
    if (!IdempotencyKey.safeParse(key).success) {
      throw new Problem(
        400,
        "invalid-idempotency-key",
        "Invalid Idempotency-Key",
        "the Idempotency-Key header must be 1 to 64 of A-Z, a-z, 0-9, _ and -",
      );
    }
    // A streamed body (the NDJSON import) cannot be fingerprinted before it runs; that
    // route derives a request id per line from the key instead.
    if (hasBody(req) && req.body === undefined) return next();

    const recordKey = sha256(
      JSON.stringify([callerOf(res)?.userId ?? "anonymous", req.method, path(req), key]),
    );
    const fingerprint = sha256(JSON.stringify(req.body ?? null));
    let claim: { revision: number } | { done: Done };
    try {
      claim = await claimKey(kv, recordKey, fingerprint);
    } catch (err) {
      if (isNatsUnavailable(err)) throw unavailable();
      throw err;
    }
    if ("done" in claim) return replay(res, claim.done);
    recordResponse(res, (status, headers, body) =>
      settle(kv, recordKey, claim.revision, { fingerprint, status, headers, body }).catch((err) =>
        logger.warn({ err }, "idempotency record not settled; it expires with its lease"),
      ),
    );
    next();
  };
}

/**
 * Creates the in-progress record for a new key, or reads the record already there:
 * a finished one is returned for replay, a live in-progress one is a 409, and one past
 * its lease is taken over with compare-and-set, so only one retry runs it again.
 */
async function claimKey(
  kv: KV,
  key: string,
  fingerprint: string,
): Promise<{ revision: number } | { done: Done }> {
  const started = (): string =>
    JSON.stringify({ state: "in-progress", fingerprint, started_at: Date.now() });
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return { revision: await kv.create(key, started()) };
    } catch (err) {
      if (isNatsUnavailable(err)) throw err;
    }
    const entry = await kv.get(key);
    if (entry?.operation !== "PUT") continue; // forgotten in between: create again
    const record = entry.json<IdempotencyRecord>();
    if (record.fingerprint !== fingerprint) throw reused();
    if (record.state === "done") return { done: record };
    if (Date.now() - record.started_at < IN_PROGRESS_LEASE_MS) throw inProgress();
    try {
      return { revision: await kv.update(key, started(), entry.revision) };
    } catch (err) {
      if (isNatsUnavailable(err)) throw err;
    }
  }
  throw inProgress();
}

async function settle(
  kv: KV,
  key: string,
  revision: number,
  outcome: Omit<Done, "state" | "body"> & { body: Buffer | undefined },
): Promise<void> {
  const { status, body } = outcome;
  // 499 is the client giving up, not an answer to replay.
  if (status >= 500 || status === 499 || body === undefined) {
    await kv.delete(key, { previousSeq: revision });
    return;
  }
  const done: Done = { ...outcome, state: "done", body: body.toString("base64") };
  await kv.update(key, JSON.stringify(done), revision);
}

function replay(res: Response, record: Done): void {
  res.status(record.status).set(record.headers).set("idempotent-replayed", "true");
  if (record.body === "") res.end();
  else res.send(Buffer.from(record.body, "base64"));
}

/**
 * Calls `store` with the response once the handler ends it, and sends it only after
 * the record is stored: a client that sees the response and retries gets the replay,
 * never a 409. A connection closed before any response forgets the key (status 499).
 */
function recordResponse(
  res: Response,
  store: (
    status: number,
    headers: Record<string, string>,
    body: Buffer | undefined,
  ) => Promise<void>,
): void {
  const chunks: Buffer[] = [];
  let size = 0;
  let ended = false;
  const keep = (chunk: unknown, encoding: unknown) => {
    if (typeof chunk === "string")
      chunk = Buffer.from(
        chunk,
        typeof encoding === "string" ? (encoding as BufferEncoding) : "utf8",
      );
    if (!(chunk instanceof Uint8Array)) return;
    size += chunk.length;
    if (size <= MAX_STORED_BODY_BYTES) chunks.push(Buffer.from(chunk));
  };
  const write = res.write.bind(res) as (...args: unknown[]) => boolean;
  const end = res.end.bind(res) as (...args: unknown[]) => Response;
  res.write = ((...args: unknown[]) => {
    keep(args[0], args[1]);
    return write(...args);
  }) as Response["write"];
  res.end = ((...args: unknown[]) => {
    ended = true;
    keep(args[0], args[1]);
    const headers = Object.fromEntries(
      REPLAYED_HEADERS.flatMap((name) => {
        const value = res.getHeader(name);
        return value === undefined ? [] : [[name, String(value)]];
      }),
    );
    const body = size <= MAX_STORED_BODY_BYTES ? Buffer.concat(chunks) : undefined;
    void store(res.statusCode, headers, body).finally(() => end(...args));
    return res;
  }) as Response["end"];
  res.once("close", () => {
    if (!ended) void store(499, {}, undefined);
  });
}

function hasBody(req: Request): boolean {
  return Number(req.get("content-length") ?? 0) > 0 || req.get("transfer-encoding") !== undefined;
}

function path(req: Request): string {
  return req.originalUrl.split("?")[0] ?? "";
}

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

function reused(): Problem {
  return new Problem(
    422,
    "idempotency-key-reused",
    "Idempotency-Key reused",
    "this Idempotency-Key was used for a request with a different body; use a new key",
  );
}

function inProgress(): Problem {
  return new Problem(
    409,
    "idempotency-key-in-progress",
    "Request in progress",
    "a request with this Idempotency-Key is still being processed; retry shortly",
    { headers: { "retry-after": "1" } },
  );
}

function unavailable(): Problem {
  return new Problem(
    503,
    "unavailable",
    "Service error",
    "a service is unavailable; retry shortly",
    {
      headers: { "retry-after": "1" },
    },
  );
}
