import { RetentionPolicy, StorageType } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/nats-core";
import {
  addStreamUnlessExists,
  INVOICES_STREAM,
  INVOICE_SUBJECT_WILDCARD,
  manageJetStream,
} from "@gavel/nats";

/**
 * Creates the INVOICES stream when it does not exist yet, so the notifier may start before
 * the settlement service, which owns it and configures it in Go. An existing stream is left
 * as it is, so the two never rewrite each other's settings:
 * docs/architecture.md#who-configures-the-invoices-stream
 */
export async function ensureInvoicesStream(nc: NatsConnection, replicas: number): Promise<void> {
  await addStreamUnlessExists(await manageJetStream(nc), {
    name: INVOICES_STREAM,
    subjects: [INVOICE_SUBJECT_WILDCARD],
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    num_replicas: replicas,
  });
}
