import { fileURLToPath } from "node:url";
import { defineConfig, mergeConfig } from "vitest/config";
import { integrationConfig } from "@gavel/vitest-config";

/** The shared integration settings, with every /v1 response checked against the document. */
export default mergeConfig(
  integrationConfig,
  defineConfig({
    test: {
      setupFiles: [
        fileURLToPath(new URL("./test/contract/check-every-response.ts", import.meta.url)),
      ],
    },
  }),
);
