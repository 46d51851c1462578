// Unit tests of the repo scripts' pure parts (scripts/**/*.test.ts). scripts/ is not a
// workspace, so turbo does not see them: .ci/run runs them as a step of their own with
// `npx vitest run --config scripts/vitest.config.ts`.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: { root: import.meta.dirname, include: ["**/*.test.ts"] },
});
