import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";
// Brings in the type of inject("natsUrl") that the global setup provides.
import type {} from "@gavel/testing/nats-global-setup";

/** The vitest settings every package with integration tests uses. */
export const integrationConfig = defineConfig({
  test: {
    globalSetup: [fileURLToPath(import.meta.resolve("@gavel/testing/nats-global-setup"))],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
