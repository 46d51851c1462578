import { InMemoryLRUCache, type KeyValueCache } from "@apollo/utils.keyvaluecache";
import type { KV } from "@nats-io/kv";
import type { Logger } from "@gavel/logging";

/** Local copies kept per replica, by total query text size. */
const LOCAL_BYTES = 16 * 1024 * 1024;

/**
 * Where Apollo keeps automatic persisted queries (APQ): a NATS KV bucket every BFF replica
 * shares, behind a small in-memory LRU. A client registers a query's hash at whichever
 * replica it reaches, and a GET with only the hash works at any other, which is what lets
 * a CDN in front cache by URL. Entries are content-addressed (Apollo checks the hash
 * against the text before storing), so a local copy is never stale; the bucket's TTL, not
 * Apollo's per-entry ttl, ages them out.
 *
 * A NATS outage makes reads misses, not errors: the client then sends the full query
 * (PERSISTED_QUERY_NOT_FOUND is the APQ protocol's "send it again with the text").
 */
export class PersistedQueryStore implements KeyValueCache<string> {
  readonly #kv: KV;
  readonly #logger: Logger;
  readonly #local = new InMemoryLRUCache<string>({
    maxSize: LOCAL_BYTES,
    sizeCalculation: (value) => value.length,
  });

  constructor(kv: KV, logger: Logger) {
    this.#kv = kv;
    this.#logger = logger;
  }

  async get(key: string): Promise<string | undefined> {
    const local = await this.#local.get(key);
    if (local !== undefined) return local;
    try {
      const entry = await this.#kv.get(kvKey(key));
      if (entry?.operation !== "PUT") return undefined;
      const query = entry.string();
      await this.#local.set(key, query);
      return query;
    } catch (err) {
      this.#logger.warn({ err }, "persisted query lookup failed; answering as a miss");
      return undefined;
    }
  }

  async set(key: string, value: string): Promise<void> {
    await this.#local.set(key, value);
    await this.#kv.put(kvKey(key), value);
  }

  async delete(key: string): Promise<void> {
    await this.#local.delete(key);
    await this.#kv.delete(kvKey(key));
  }
}

/** Apollo's keys ("apq:<hex>") hold a colon, which KV keys may not: base64url is safe. */
function kvKey(key: string): string {
  return Buffer.from(key).toString("base64url");
}
