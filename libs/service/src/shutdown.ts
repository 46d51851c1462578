import type { Logger } from "@gavel/logging";

/** Steps every process runs after its own, last of all (flushing telemetry). */
const finalSteps: Array<() => Promise<unknown>> = [];

/** Adds a step that runs after a service's own shutdown steps, just before it exits. */
export function atShutdownEnd(step: () => Promise<unknown>): void {
  finalSteps.push(step);
}

/**
 * Runs the shutdown steps once on SIGTERM or SIGINT, in order, then exits. A second
 * signal exits at once, for an operator who does not want to wait.
 */
export function onShutdownSignal(logger: Logger, steps: Array<() => Promise<unknown>>): void {
  let started = false;
  const handle = (signal: NodeJS.Signals) => {
    if (started) {
      logger.warn({ signal }, "second signal, exiting now");
      process.exit(1);
    }
    started = true;
    logger.info({ signal }, "shutting down");
    void (async () => {
      let code = 0;
      for (const step of [...steps, ...finalSteps]) {
        try {
          await step();
        } catch (err) {
          code = 1;
          logger.error({ err }, "shutdown step failed");
        }
      }
      logger.info("stopped");
      logger.flush?.();
      process.exit(code);
    })();
  };
  process.on("SIGTERM", handle);
  process.on("SIGINT", handle);
}

/** Logs what would otherwise kill the process silently, then exits non-zero. */
export function exitOnFatal(logger: Logger): void {
  process.on("uncaughtException", (err) => {
    logger.fatal({ err }, "uncaught exception");
    process.exit(1);
  });
  process.on("unhandledRejection", (err) => {
    logger.fatal({ err }, "unhandled rejection");
    process.exit(1);
  });
}
