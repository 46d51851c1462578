// The chart's checks (helm/tests): lint, render, validate and assert policies on the
// manifests with the pinned helm from scripts/tools/helm.sh, and hold docs/architecture.md's
// map to them. helm/ is not a workspace, so turbo does not see them: `npm test` runs them
// after the packages' tests, through `npm run test:chart`.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    root: import.meta.dirname,
    include: ["tests/**/*.test.ts"],
    globalSetup: ["tests/global-setup.ts"],
    testTimeout: 60_000,
  },
});
