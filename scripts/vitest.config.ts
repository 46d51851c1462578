// The repo scripts' tests (scripts/**/*.test.ts): unit tests of their pure parts,
// buf-curl.test.ts, which runs docs/debugging-rpc.md's commands against a real catalog,
// and dev/local-stack.test.ts, npm start's whole stack on free ports, its links followed.
// scripts/ is not a workspace, so turbo does not see them: `npm test` runs them after the
// workspaces' tests, as `npm run test:scripts`.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: { root: import.meta.dirname, include: ["**/*.test.ts"] },
});
