import type { KV, KvEntry } from "@nats-io/kv";
import type { Logger } from "@gavel/logging";

/** What a KvMirror keeps current: an in-memory index of one bucket's live keys. */
export interface MirrorTarget<T> {
  /** The stored value as the index keeps it; called for puts only. */
  decode(entry: KvEntry): T;
  set(key: string, value: T): void;
  /** For a deleted or purged key, and for a key the index never had. */
  delete(key: string): void;
}

/**
 * Feeds a bucket's current entries, then every change, into an in-memory index, through
 * a KV watch. Each catalog replica runs its own, so indexes on different replicas are
 * eventually consistent: milliseconds behind a write.
 */
export class KvMirror {
  #ready = false;
  #stop: (() => void) | undefined;

  /** True once the index holds every entry the bucket had when the mirror started. */
  get ready(): boolean {
    return this.#ready;
  }

  static async start<T>(kv: KV, target: MirrorTarget<T>, logger: Logger): Promise<KvMirror> {
    const mirror = new KvMirror();
    const status = await kv.status();
    if (status.values === 0) mirror.#ready = true;
    const watch = await kv.watch();
    mirror.#stop = () => watch.stop();
    void (async () => {
      for await (const entry of watch) {
        try {
          if (entry.operation === "PUT") target.set(entry.key, target.decode(entry));
          else target.delete(entry.key);
        } catch (err) {
          // One unreadable record must not stop the index from following the others.
          logger.warn({ err, bucket: status.bucket, key: entry.key }, "skipping a KV entry");
        }
        if (entry.delta === 0) mirror.#ready = true;
      }
    })().catch((err: unknown) =>
      logger.error({ err, bucket: status.bucket }, "KV mirror watch ended"),
    );
    return mirror;
  }

  stop(): void {
    this.#stop?.();
  }
}
