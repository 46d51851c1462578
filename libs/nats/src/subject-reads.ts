import { JetStreamError, type JetStreamManager, type StoredMsg } from "@nats-io/jetstream";

/** Messages asked for per direct-get batch. */
const READ_BATCH = 256;

/**
 * A subject's stored messages from sequence `from` on, in order, as the answering
 * replica has them now. Read with batched direct gets, which any replica of a clustered
 * stream answers (a follower may not have the newest appends yet). Ends at the first
 * batch that comes back short: the subject has nothing more there.
 */
export async function* readSubject(
  jsm: JetStreamManager,
  stream: string,
  subject: string,
  from: number,
): AsyncGenerator<StoredMsg> {
  let next = from;
  for (;;) {
    const batch = await jsm.direct.getBatch(stream, {
      seq: next,
      next_by_subj: subject,
      batch: READ_BATCH,
    });
    let count = 0;
    try {
      for await (const message of batch) {
        count++;
        next = message.seq + 1;
        yield message;
      }
    } catch (err) {
      if (!isNoMessages(err)) throw err;
    }
    if (count < READ_BATCH) return;
  }
}

/** A direct get past the last message of a subject answers 404: simply nothing more. */
export function isNoMessages(err: unknown): boolean {
  return err instanceof JetStreamError && (err as JetStreamError & { code?: number }).code === 404;
}
