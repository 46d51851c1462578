import type { Logger } from "@gavel/logging";

/** Steps every process runs after its own, last of all (flushing telemetry). */
const finalSteps: Array<() => Promise<unknown>> = [];

/** Adds a step that runs after a service's own shutdown steps, just before it exits. */
export function atShutdownEnd(step: () => Promise<unknown>): void {
  finalSteps.push(step);
}

export interface ShutdownDeadline {
  /** The time in-flight calls get to finish (the config's SHUTDOWN_GRACE_MS). */
  graceMs: number;
  /** What the steps after them (consumers, NATS drain, telemetry) get on top. */
  marginMs?: number;
}

/**
 * Runs the shutdown steps once on SIGTERM or SIGINT, in order, then exits. A second
 * signal exits at once, for an operator who does not want to wait. So does a shutdown
 * still running after the grace period and margin: a step that cannot finish (a drain
 * with NATS gone, a consumer stuck on a redelivery) must not keep the process alive. The
 * chart's terminationGracePeriodSeconds is the same sum, plus the preStop sleep.
 */
export function onShutdownSignal(
  logger: Logger,
  steps: Array<() => Promise<unknown>>,
  deadline: ShutdownDeadline,
): void {
  let started = false;
  const handle = (signal: NodeJS.Signals) => {
    if (started) {
      logger.warn({ signal }, "second signal, exiting now");
      process.exit(1);
    }
    started = true;
    logger.info({ signal }, "shutting down");
    const deadlineMs = deadline.graceMs + (deadline.marginMs ?? 10_000);
    setTimeout(() => {
      logger.error({ deadline_ms: deadlineMs }, "shutdown did not finish in time, exiting now");
      logger.flush?.();
      process.exit(1);
    }, deadlineMs).unref();
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
