import { JetStreamApiError, type JetStreamManager, type StreamConfig } from "@nats-io/jetstream";

/** "stream name already in use with a different configuration". */
const STREAM_NAME_IN_USE = 10058;

/**
 * Creates a stream, or updates it to this configuration when it exists with another.
 * Several replicas may race here at start; adding the same configuration is idempotent.
 */
export async function addOrUpdateStream(
  jsm: JetStreamManager,
  config: Partial<StreamConfig> & { name: string },
): Promise<void> {
  try {
    await jsm.streams.add(config);
  } catch (err) {
    if (!(err instanceof JetStreamApiError) || err.code !== STREAM_NAME_IN_USE) throw err;
    await jsm.streams.update(config.name, config);
  }
}
