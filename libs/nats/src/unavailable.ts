import {
  ClosedConnectionError,
  ConnectionError,
  DrainingConnectionError,
  NoRespondersError,
  RequestError,
  TimeoutError,
} from "@nats-io/nats-core";

/**
 * Whether an error means NATS could not be reached or answer in time: a state that
 * passes, which services report as UNAVAILABLE (retryable) rather than INTERNAL.
 */
export function isNatsUnavailable(err: unknown): boolean {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if (
      e instanceof TimeoutError ||
      e instanceof ConnectionError ||
      e instanceof NoRespondersError ||
      e instanceof DrainingConnectionError ||
      e instanceof ClosedConnectionError ||
      e instanceof RequestError
    ) {
      return true;
    }
  }
  return false;
}
