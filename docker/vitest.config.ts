// The image test (docker/test): needs a Docker engine and the images built by
// scripts/docker/build-images.sh. `npm run test:images`; .ci/run builds, then runs it.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    root: import.meta.dirname,
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 240_000,
  },
});
