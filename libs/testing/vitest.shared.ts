import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";
import "./src/provided-context.ts";

/** The vitest settings every package with integration tests uses. */
export const integrationConfig = defineConfig({
  test: {
    globalSetup: [fileURLToPath(new URL("./src/nats-global-setup.ts", import.meta.url))],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
