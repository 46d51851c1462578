import { RetentionPolicy, StorageType } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/nats-core";
import {
  addStreamUnlessExists,
  INVOICES_STREAM,
  INVOICE_SUBJECT_WILDCARD,
  manageJetStream,
} from "@gavel/nats";

/**
 * Creates the INVOICES stream when it does not exist yet, so the notifier can start
 * (and have its consumer in place) before the settlement service, which owns the stream;
 * an existing stream is left as it is. Unlike the streams the TypeScript services share
 * through libs/nats, this one's configuration lives in Go (apps/settlement), so updating
 * it to a copy here would have the two services rewrite each other's settings whenever
 * the copies drift. What is set here is the stream's contract (name, subjects, file
 * storage, which no update can change, limits retention, replicas); when the settlement
 * service brings the stream to its configuration at start, as Gavel's services do with
 * their streams, whatever else it sets (a duplicate window, say) is added to one created
 * here.
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
