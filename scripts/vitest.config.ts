// The repo scripts' tests (scripts/**/*.test.ts): unit tests of their pure parts, and
// buf-curl.test.ts, which runs docs/debugging-rpc.md's commands against a real catalog.
// scripts/ is not a workspace, so turbo does not see them: `npm test` runs them after the
// workspaces' tests, as `npm run test:scripts`.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: { root: import.meta.dirname, include: ["**/*.test.ts"] },
});
