import type { KV } from "@nats-io/kv";

const MAX_ATTEMPTS = 10;

/** How a versioned record is stored: protobuf binary, with the version it was made at. */
export interface VersionedCodec<T> {
  encode(record: T): Uint8Array;
  decode(bytes: Uint8Array): T;
  version(record: T): bigint;
}

/**
 * Stores the record under the key unless the stored one is as new or newer, with
 * compare-and-set on the KV revision, so any number of writers, in any order (a
 * redelivery, another replica), leave the newest version in place. Returns the record
 * that is stored afterwards: this one, or the newer one found.
 */
export async function writeIfNewer<T>(
  kv: KV,
  key: string,
  record: T,
  codec: VersionedCodec<T>,
): Promise<T> {
  const bytes = codec.encode(record);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const entry = await kv.get(key);
    try {
      if (entry?.operation !== "PUT") {
        await kv.create(key, bytes);
        return record;
      }
      const stored = codec.decode(entry.value);
      if (codec.version(stored) >= codec.version(record)) return stored;
      await kv.update(key, bytes, entry.revision);
      return record;
    } catch (err) {
      if (!isRevisionConflict(err)) throw err;
    }
  }
  throw new Error(`KV record ${key} kept changing; giving up this write`);
}

/** Another writer got there between our read and our write. */
export function isRevisionConflict(err: unknown): boolean {
  return err instanceof Error && /wrong last sequence|key exists/i.test(err.message);
}
