import { JetStreamApiCodes, JetStreamApiError } from "@nats-io/jetstream";
import { Kvm, type KV } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/nats-core";
import { CATALOG_WATCHES_BUCKET, isSafeToken, keyPair } from "@gavel/nats";

/**
 * Who watches a lot, read when it is needed from the catalog's watches bucket (keys
 * `<lot id>.<user id>`, so one lot's watchers are one key filter). Read, not mirrored:
 * the notifier asks once per lot, at its closing-soon moment, and needs the answer as of
 * then. The catalog owns the bucket; before it has created one, nobody watches anything.
 */
export class LotWatchers {
  readonly #nc: NatsConnection;
  #kv: Promise<KV> | undefined;

  constructor(nc: NatsConnection) {
    this.#nc = nc;
  }

  async of(lotId: string): Promise<string[]> {
    if (!isSafeToken(lotId)) throw new Error(`not a lot id: ${JSON.stringify(lotId)}`);
    this.#kv ??= new Kvm(this.#nc).open(CATALOG_WATCHES_BUCKET);
    const users: string[] = [];
    try {
      for await (const key of await (await this.#kv).keys(`${lotId}.*`)) {
        const pair = keyPair(key);
        if (pair) users.push(pair[1]);
      }
    } catch (err) {
      if (err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamNotFound)
        return [];
      throw err;
    }
    return users;
  }
}
