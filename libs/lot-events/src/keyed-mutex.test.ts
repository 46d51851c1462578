import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { KeyedMutex } from "./keyed-mutex.ts";

describe("KeyedMutex", () => {
  it("runs tasks of one key one at a time, in arrival order", async () => {
    const mutex = new KeyedMutex();
    const log: string[] = [];
    const task = (name: string, ms: number) => async () => {
      log.push(`start ${name}`);
      await sleep(ms);
      log.push(`end ${name}`);
      return name;
    };
    const results = await Promise.all([
      mutex.run("a", task("1", 20)),
      mutex.run("a", task("2", 1)),
      mutex.run("a", task("3", 5)),
    ]);
    expect(results).toEqual(["1", "2", "3"]);
    expect(log).toEqual(["start 1", "end 1", "start 2", "end 2", "start 3", "end 3"]);
  });

  it("runs different keys concurrently", async () => {
    const mutex = new KeyedMutex();
    const log: string[] = [];
    await Promise.all(
      ["a", "b"].map((key) =>
        mutex.run(key, async () => {
          log.push(`start ${key}`);
          await sleep(10);
          log.push(`end ${key}`);
        }),
      ),
    );
    expect(log.slice(0, 2).sort()).toEqual(["start a", "start b"]);
  });

  it("keeps going after a failed task and forgets idle keys", async () => {
    const mutex = new KeyedMutex();
    await expect(mutex.run("a", () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    await expect(mutex.run("a", async () => "after")).resolves.toBe("after");
    await sleep(0);
    expect(mutex.size).toBe(0);
  });
});
