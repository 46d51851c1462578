import { createHash } from "node:crypto";
import { setTimeout as delay } from "node:timers/promises";
import type { Request, RequestHandler, Response } from "express";
import type { KV } from "@nats-io/kv";
import type { Logger } from "@gavel/logging";
import { isNatsUnavailable, isSafeToken } from "@gavel/nats";
import { callerOf } from "./authentication.ts";
import { Problem } from "./problem.ts";

/** A quota of requests per fixed window, named as in the RateLimit-Policy field. */
export interface RateLimitPolicy {
  name: string;
  quota: number;
  windowSeconds: number;
}

export interface RateLimitSettings {
  /** Counters shared by every edge replica (EDGE_RATE_LIMITS_BUCKET). */
  kv: KV;
  logger: Logger;
  perUser: number;
  perIp: number;
  windowSeconds: number;
}

export interface FixedWindow {
  /** Epoch seconds at which the window began; windows are aligned on the epoch. */
  start: number;
  /** Whole seconds until the next window, never 0: what RateLimit's t and Retry-After say. */
  resetSeconds: number;
}

export function fixedWindow(nowMs: number, windowSeconds: number): FixedWindow {
  const windowMs = windowSeconds * 1000;
  const startMs = Math.floor(nowMs / windowMs) * windowMs;
  return {
    start: startMs / 1000,
    resetSeconds: Math.max(1, Math.ceil((startMs + windowMs - nowMs) / 1000)),
  };
}

/**
 * `<scope>.<id>.<windowStart>`. The window length is part of the scope, so replicas
 * configured differently during a rollout never share a counter. Ids that cannot be a
 * key token (IP addresses have dots and colons) are hashed.
 */
export function counterKey(policy: RateLimitPolicy, id: string, windowStart: number): string {
  const token = isSafeToken(id) ? id : createHash("sha256").update(id).digest("base64url");
  return `${policy.name}-${policy.windowSeconds}s.${token}.${windowStart}`;
}

/** The bucket's TTL: a counter outlives its window a little, then NATS drops it. */
export function counterTtlMs(windowSeconds: number): number {
  return (windowSeconds + 10) * 1000;
}

/** One item of RateLimit-Policy (draft-ietf-httpapi-ratelimit-headers). */
export function policyField(policy: RateLimitPolicy): string {
  return `"${policy.name}";q=${policy.quota};w=${policy.windowSeconds}`;
}

/** One item of RateLimit: what is left of the quota and when the window ends. */
export function limitField(
  policy: RateLimitPolicy,
  remaining: number,
  resetSeconds: number,
): string {
  return `"${policy.name}";r=${remaining};t=${resetSeconds}`;
}

/** A slow or unreachable NATS must not add more than this to a request. */
const COUNT_DEADLINE_MS = 500;
const COUNT_ATTEMPTS = 8;
const WARNING_INTERVAL_MS = 10_000;

/**
 * The per-IP limit, for every request, and the per-user limit, for signed-in ones: mount
 * perIp before authentication (bad tokens are counted too) and perUser after it. Each
 * adds its items to RateLimit-Policy and RateLimit, and answers 429 past its quota.
 */
export function rateLimits(settings: RateLimitSettings): {
  perIp: RequestHandler;
  perUser: RequestHandler;
} {
  let lastWarning = 0;
  const limit =
    (policy: RateLimitPolicy, idOf: (req: Request, res: Response) => string | undefined) =>
    async (req: Request, res: Response, next: () => void) => {
      const id = idOf(req, res);
      if (id === undefined) return next();
      const window = fixedWindow(Date.now(), policy.windowSeconds);
      let count: number;
      try {
        count = await withDeadline(
          countRequest(settings.kv, counterKey(policy, id, window.start), policy.quota),
          COUNT_DEADLINE_MS,
        );
      } catch (err) {
        // Fail open: without NATS the limits cannot be counted across replicas, and
        // refusing every request would turn a NATS outage into an API outage.
        if (Date.now() - lastWarning > WARNING_INTERVAL_MS) {
          lastWarning = Date.now();
          settings.logger.warn(
            { err, policy: policy.name },
            "rate limit not counted; letting requests through",
          );
        }
        return next();
      }
      const remaining = Math.max(0, policy.quota - count);
      res.append("RateLimit-Policy", policyField(policy));
      res.append("RateLimit", limitField(policy, remaining, window.resetSeconds));
      if (count > policy.quota) {
        throw new Problem(
          429,
          "rate-limited",
          "Too many requests",
          `more than ${policy.quota} requests in ${policy.windowSeconds} s (${policy.name}); retry in ${window.resetSeconds} s`,
          {
            headers: { "retry-after": String(window.resetSeconds) },
            extensions: { violated_policies: [policy.name] },
          },
        );
      }
      next();
    };
  const policy = (name: string, quota: number) => ({
    name,
    quota,
    windowSeconds: settings.windowSeconds,
  });
  return {
    perIp: limit(policy("per-ip", settings.perIp), (req) => req.ip),
    perUser: limit(policy("per-user", settings.perUser), (_req, res) => callerOf(res)?.userId),
  };
}

/**
 * Counts one request unless the counter already reached the quota, and returns the
 * count including this request. Writes are compare-and-set on the key's revision, so
 * each request is counted exactly once whichever replica serves it; on a conflict the
 * counter is read again after a short, jittered pause.
 */
async function countRequest(kv: KV, key: string, quota: number): Promise<number> {
  let conflict: unknown;
  for (let attempt = 0; attempt < COUNT_ATTEMPTS; attempt++) {
    const entry = await kv.get(key);
    const current = entry?.operation === "PUT" ? Number(entry.string()) : 0;
    if (current >= quota) return current + 1; // already refused: no write needed
    try {
      if (entry?.operation === "PUT") await kv.update(key, String(current + 1), entry.revision);
      else await kv.create(key, "1");
      return current + 1;
    } catch (err) {
      if (isNatsUnavailable(err)) throw err;
      conflict = err;
    }
    await delay(Math.random() * 2 ** attempt);
  }
  throw new Error(`counter ${key} stayed contended`, { cause: conflict });
}

function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from NATS within ${ms} ms`)), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
