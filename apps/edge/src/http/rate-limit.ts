import { createHash } from "node:crypto";
import type { Request, RequestHandler, Response } from "express";
import { StorageType } from "@nats-io/jetstream";
import { Empty, headers, nanos, type NatsConnection } from "@nats-io/nats-core";
import type { Logger } from "@gavel/logging";
import { addOrUpdateStream, edgeRateLimits, isSafeToken, manageJetStream } from "@gavel/nats";
import { callerOf } from "./authentication.ts";
import { clientNetwork } from "./client-network.ts";
import { Problem } from "./problem.ts";

/** A quota of requests per fixed window, named as in the RateLimit-Policy field. */
export interface RateLimitPolicy {
  name: string;
  quota: number;
  windowSeconds: number;
}

export interface RateLimitSettings {
  /** Counters are shared by every edge replica through the counter stream (edgeRateLimits). */
  nc: NatsConnection;
  logger: Logger;
  perUser: number;
  perIp: number;
  /** IPv6 clients are counted by this prefix of their address (IPv4 ones per address). */
  ipv6PrefixBits: number;
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
        count = await countRequest(
          settings.nc,
          policy.windowSeconds,
          counterKey(policy, id, window.start),
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
    perIp: limit(policy("per-ip", settings.perIp), (req) =>
      req.ip === undefined ? undefined : clientNetwork(req.ip, settings.ipv6PrefixBits),
    ),
    perUser: limit(policy("per-user", settings.perUser), (_req, res) => callerOf(res)?.userId),
  };
}

/**
 * Counts one request and returns the count including it. The counter is a subject of a
 * JetStream counter stream: the server adds `Nats-Incr` atomically and answers with the
 * new total, so replicas never race on a read-modify-write, and a hot client (one IP
 * behind a NAT, say) costs one round trip per request, not a retry loop.
 */
async function countRequest(
  nc: NatsConnection,
  windowSeconds: number,
  key: string,
): Promise<number> {
  const incr = headers();
  incr.set("Nats-Incr", "1");
  const reply = await nc.request(`${edgeRateLimits(windowSeconds).subjectPrefix}.${key}`, Empty, {
    headers: incr,
    timeout: COUNT_DEADLINE_MS,
  });
  const ack = reply.json<{ val?: string; error?: { description?: string } }>();
  if (ack.val === undefined)
    throw new Error(`counter ${key} not counted: ${ack.error?.description ?? "no value"}`);
  return Number(ack.val);
}

/**
 * The counter stream, created or updated at start. In memory (a counter outlives its
 * window by seconds, a restart forgets at most one window), replicated like the
 * buckets, each subject dropped shortly after its window ends.
 */
export async function ensureRateLimitStream(
  nc: NatsConnection,
  windowSeconds: number,
  replicas: number,
): Promise<void> {
  const jsm = await manageJetStream(nc);
  const names = edgeRateLimits(windowSeconds);
  const config = {
    name: names.stream,
    subjects: [`${names.subjectPrefix}.>`],
    storage: StorageType.Memory,
    num_replicas: replicas,
    max_age: nanos(counterTtlMs(windowSeconds)),
    // No message ids here; the default two-minute window would exceed a short max_age.
    duplicate_window: nanos(Math.min(counterTtlMs(windowSeconds), 1_000)),
    max_msgs_per_subject: 1,
    allow_msg_counter: true,
    allow_direct: true,
  };
  await addOrUpdateStream(jsm, config);
}
