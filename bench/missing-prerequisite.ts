/**
 * Something a bench needs of the machine and does not find (a tool, /proc). A bench's
 * entry ends with the one line saying what is missing and what to do, not a stack trace
 * from deep inside a helper.
 */
export class MissingPrerequisite extends Error {}

/** Runs a bench's main; a missing prerequisite ends it with one line and exit code 1. */
export async function runBench(name: string, main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (err) {
    if (!(err instanceof MissingPrerequisite)) throw err;
    process.stderr.write(`${name}: ${err.message}\n`);
    process.exitCode = 1;
  }
}

/** Linux's /proc, where the benches read each process's CPU time. */
export function requireProc(): void {
  if (process.platform !== "linux")
    throw new MissingPrerequisite(
      `CPU time is read from Linux's /proc, not on ${process.platform}`,
    );
}
