import {
  JetStreamApiCodes,
  JetStreamApiError,
  type JetStreamManager,
  type StreamConfig,
} from "@nats-io/jetstream";
import { untilAvailable } from "./unavailable.ts";

/** "stream name already in use with a different configuration". */
const STREAM_NAME_IN_USE = 10058;

type Config = Partial<StreamConfig> & { name: string };

/** How long a stream just created or found may answer "not found" before that is final. */
const FORMING_MS = 30_000;

/**
 * Adds a stream; answers false, without error, when one of that name exists already.
 * Retried while JetStream is unavailable (a new cluster), like every step here.
 */
async function addUnlessExists(jsm: JetStreamManager, config: Config): Promise<boolean> {
  try {
    await untilAvailable(() => jsm.streams.add(config));
    return true;
  } catch (err) {
    if (!(err instanceof JetStreamApiError) || err.code !== STREAM_NAME_IN_USE) throw err;
    return false;
  }
}

/**
 * Creates a stream, or updates it to this configuration when it exists with another.
 * Several replicas may race here at start; adding the same configuration is idempotent.
 */
export async function addOrUpdateStream(jsm: JetStreamManager, config: Config): Promise<void> {
  if (!(await addUnlessExists(jsm, config)))
    await untilAvailable(() => jsm.streams.update(config.name, config));
  await untilStreamAnswers(jsm, config.name);
}

/**
 * Creates a stream that another service owns when it does not exist yet, and leaves an
 * existing one as it is: the owner brings it to its own configuration.
 */
export async function addStreamUnlessExists(jsm: JetStreamManager, config: Config): Promise<void> {
  await addUnlessExists(jsm, config);
  await untilStreamAnswers(jsm, config.name);
}

/**
 * Resolves once the stream answers for itself. On a new cluster a replicated stream that
 * was just created can still be "not found" for a moment while its group forms, and a
 * consumer opened on it then would fail the start (seen on the chart's first install).
 */
async function untilStreamAnswers(jsm: JetStreamManager, name: string): Promise<void> {
  await untilAvailable(() => jsm.streams.info(name), {
    forMs: FORMING_MS,
    alsoWhile: (err) =>
      err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamNotFound,
  });
}
