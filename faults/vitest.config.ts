import { defineConfig } from "vitest/config";

/** The suite's own unit tests (the checks, the report), part of npm test. */
export default defineConfig({ test: { include: ["src/**/*.test.ts"] } });
