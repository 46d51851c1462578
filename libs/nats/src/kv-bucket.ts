import type { NatsConnection } from "@nats-io/nats-core";
import { Kvm, type KV, type KvOptions } from "@nats-io/kv";
import { untilAvailable } from "./unavailable.ts";

/**
 * Opens a KV bucket, creating it when it does not exist yet. Several replicas may
 * race here at start; creating with the same settings is idempotent on the server, so
 * it is retried while JetStream is unavailable (a new cluster placing the bucket).
 */
export async function openBucket(
  nc: NatsConnection,
  name: string,
  options: Partial<KvOptions> = {},
): Promise<KV> {
  const kvm = new Kvm(nc);
  return untilAvailable(() => kvm.create(name, { history: 1, ...options }));
}
