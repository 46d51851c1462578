import { randomUUID } from "node:crypto";
import type { KV, KvEntry } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/nats-core";
import { createLogger } from "@gavel/logging";
import { connectNats, openBucket } from "@gavel/nats";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { KvMirror, type MirrorTarget } from "../src/projection/kv-mirror.ts";
import { writeIfNewer, type VersionedCodec } from "../src/projection/write-if-newer.ts";

const logger = createLogger({ service: "catalog-test", level: "silent" });
let nc: NatsConnection;

beforeAll(async () => {
  nc = await connectNats({ servers: [inject("natsUrl")], name: "catalog-kv-test" }, logger);
});

afterAll(async () => {
  await nc.drain();
});

const freshBucket = (): Promise<KV> => openBucket(nc, `test-${randomUUID()}`);

/** A record that is just its version, as text. */
const VERSION_ONLY: VersionedCodec<bigint> = {
  encode: (v) => new TextEncoder().encode(String(v)),
  decode: (bytes) => BigInt(new TextDecoder().decode(bytes)),
  version: (v) => v,
};

describe("writeIfNewer", () => {
  it("keeps the newer record when an older one comes later", async () => {
    const kv = await freshBucket();
    expect(await writeIfNewer(kv, "k", 3n, VERSION_ONLY)).toBe(3n);
    expect(await writeIfNewer(kv, "k", 1n, VERSION_ONLY)).toBe(3n);
    expect(await writeIfNewer(kv, "k", 3n, VERSION_ONLY)).toBe(3n);
    expect(await writeIfNewer(kv, "k", 5n, VERSION_ONLY)).toBe(5n);
    expect((await kv.get("k"))?.string()).toBe("5");
  });

  it("leaves the newest of many racing writers in place", async () => {
    const kv = await freshBucket();
    const versions = Array.from({ length: 20 }, (_, i) => BigInt(i + 1)).sort(
      () => Math.random() - 0.5,
    );
    await Promise.all(versions.map((v) => writeIfNewer(kv, "k", v, VERSION_ONLY)));
    expect((await kv.get("k"))?.string()).toBe("20");
  });
});

class Recorder implements MirrorTarget<string> {
  readonly values = new Map<string, string>();
  decode(entry: KvEntry): string {
    return entry.string();
  }
  set(key: string, value: string): void {
    this.values.set(key, value);
  }
  delete(key: string): void {
    this.values.delete(key);
  }
}

describe("KvMirror", () => {
  it("is ready once it holds what the bucket had, then follows puts and deletes", async () => {
    const kv = await freshBucket();
    await kv.put("a", "1");
    await kv.put("b", "2");
    await kv.delete("b");
    const target = new Recorder();
    const mirror = await KvMirror.start(kv, target, logger);
    await expect.poll(() => mirror.ready).toBe(true);
    expect(Object.fromEntries(target.values)).toEqual({ a: "1" });

    await kv.put("c", "3");
    await kv.put("a", "4");
    await kv.purge("c");
    await kv.put("d", "5");
    await expect.poll(() => Object.fromEntries(target.values)).toEqual({ a: "4", d: "5" });
    mirror.stop();
  });

  it("is ready at once for an empty bucket", async () => {
    const mirror = await KvMirror.start(await freshBucket(), new Recorder(), logger);
    expect(mirror.ready).toBe(true);
    mirror.stop();
  });
});
