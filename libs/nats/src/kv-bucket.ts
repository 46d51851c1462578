import type { NatsConnection } from "@nats-io/nats-core";
import { Kvm, type KV, type KvOptions } from "@nats-io/kv";

/**
 * Opens a KV bucket, creating it when it does not exist yet. Several replicas may
 * race here at start; creating with the same settings is idempotent on the server.
 */
export async function openBucket(
  nc: NatsConnection,
  name: string,
  options: Partial<KvOptions> = {},
): Promise<KV> {
  const kvm = new Kvm(nc);
  return kvm.create(name, { history: 1, ...options });
}
