import type { TestProject } from "vitest/node";
import { startNatsServer } from "./nats-server.ts";

import "./provided-context.ts";

/** One real NATS server per package test run; test files read its URL with inject("natsUrl"). */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const nats = await startNatsServer();
  process.stderr.write(`[gavel] NATS for tests: ${nats.url} (${nats.kind})\n`);
  project.provide("natsUrl", nats.url);
  return () => nats.stop();
}
