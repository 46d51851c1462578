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
 * Whether an error means NATS could not be reached or answer in time: a state that
 * passes, which services report as UNAVAILABLE (retryable) rather than INTERNAL. Besides
 * the connection's own errors: a JetStream request nobody answered (status 503, which a
 * direct get reports as a JetStream status error while a restarted server has not brought
 * JetStream back yet, as the fault suite saw), and an API answer of 503 ("JetStream system
 * temporarily unavailable", while a cluster elects a leader).
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
