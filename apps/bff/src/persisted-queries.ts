import { InMemoryLRUCache, type KeyValueCache } from "@apollo/utils.keyvaluecache";
import type { KV } from "@nats-io/kv";
import type { Logger } from "@gavel/logging";

/** Local copies kept per replica, by total query text size. */
const LOCAL_BYTES = 16 * 1024 * 1024;

/**
 * Apollo's automatic persisted queries in a NATS KV bucket every BFF replica shares, behind
 * a small in-memory LRU, so a GET with only the hash works at any replica (and a CDN can
 * cache it by URL). A NATS outage makes reads misses, not errors.
 * docs/architecture.md#the-graphql-bff-appsbff
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
