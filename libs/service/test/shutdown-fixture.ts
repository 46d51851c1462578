/**
 * A process that shuts down like a service: `hang` gives it a step that never finishes
 * (a drain with NATS gone, say), `ok` steps that do. Prints "ready" once it listens for
 * signals.
 */
import { createLogger } from "@gavel/logging";
import { onShutdownSignal } from "../src/shutdown.ts";

const logger = createLogger({ service: "fixture" });
const hang = process.argv[2] === "hang";
onShutdownSignal(
  logger,
  [async () => {}, () => (hang ? new Promise(() => {}) : Promise.resolve())],
  { graceMs: 100, marginMs: 300 },
);
// Something that would keep the process alive on its own, like a server.
setInterval(() => {}, 1000);
process.stdout.write("ready\n");
