import { setTimeout as sleep } from "node:timers/promises";
import { JetStreamApiError, JetStreamError } from "@nats-io/jetstream";
import {
  ClosedConnectionError,
  ConnectionError,
  DrainingConnectionError,
  NoRespondersError,
  RequestError,
  TimeoutError,
} from "@nats-io/nats-core";

/** The status NATS answers with when nobody serves a subject: JetStream is not there yet. */
const NO_RESPONDERS = 503;

/**
 * Whether an error means NATS could not be reached or answer in time, a state that passes,
 * which services report as UNAVAILABLE (retryable) rather than INTERNAL: the connection's
 * own errors, and 503s while JetStream restarts or a cluster elects a leader.
 * docs/reliability.md#what-the-fault-suite-found
 */
export function isNatsUnavailable(err: unknown): boolean {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if (
      e instanceof TimeoutError ||
      e instanceof ConnectionError ||
      e instanceof NoRespondersError ||
      e instanceof DrainingConnectionError ||
      e instanceof ClosedConnectionError ||
      e instanceof RequestError ||
      (e instanceof JetStreamApiError && e.status === NO_RESPONDERS) ||
      (e instanceof JetStreamError && (e as { code?: unknown }).code === NO_RESPONDERS)
    ) {
      return true;
    }
  }
  return false;
}

export interface UntilAvailableOptions {
  /** How long NATS may stay unavailable before the last error is thrown. */
  forMs?: number;
  /** Called before each retry, with the error and the number of failed attempts. */
  onRetry?: (err: unknown, failures: number) => void;
  /** Whether to give up now (the connection was closed), throwing the last error. */
  stop?: () => boolean;
  /** Other errors that pass for this step, retried the same way. */
  alsoWhile?: (err: unknown) => boolean;
}

/**
 * Runs a start-up step (creating a stream or a bucket) again while NATS is unavailable:
 * a JetStream cluster that has just elected its meta leader answers, but a stream it is
 * asked to place on three servers can still time out or answer 503 for a few seconds.
 * Any other error, or one that lasts `forMs` (2 minutes unless told), is thrown.
 */
export async function untilAvailable<T>(
  step: () => Promise<T>,
  options: UntilAvailableOptions = {},
): Promise<T> {
  const deadline = Date.now() + (options.forMs ?? 120_000);
  for (let attempt = 0; ; attempt++) {
    try {
      return await step();
    } catch (err) {
      const passing = isNatsUnavailable(err) || options.alsoWhile?.(err) === true;
      if (!passing || Date.now() >= deadline || options.stop?.()) throw err;
      options.onRetry?.(err, attempt + 1);
      await sleep(Math.min(250 * 2 ** attempt, 2_000, Math.max(0, deadline - Date.now())));
    }
  }
}
