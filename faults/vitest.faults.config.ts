import { defineConfig } from "vitest/config";

/**
 * Each file starts its own NATS (a single server, or a three-node cluster) and the whole
 * stack on it, and runs its rounds one after another: files never overlap, since each
 * round measures what happens to load while one piece is down.
 */
export default defineConfig({
  test: {
    include: ["test/**/*.faults.test.ts"],
    globalSetup: ["src/global-setup.ts"],
    testTimeout: 180_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
