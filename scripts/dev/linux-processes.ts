import { readFileSync } from "node:fs";

/**
 * What /proc says about a process, for npm start's first contact: which command holds a
 * port, and whether a process it recorded is still that process. Anything unreadable
 * (gone, another user's, no /proc on this system) is undefined, never an error.
 */

/** The command line of `pid`, its arguments joined by spaces. */
export function commandOf(pid: number): string | undefined {
  const raw = readIfPresent(`/proc/${pid}/cmdline`);
  const command = raw?.split("\0").filter(Boolean).join(" ");
  return command || undefined; // a zombie's is empty
}

/**
 * Who `pid` is: its start time (clock ticks since boot) and command line. A pid the
 * kernel hands to a new process later has another, so a record of it is never mistaken
 * for the process it named.
 */
export function identityOf(pid: number): string | undefined {
  const stat = readIfPresent(`/proc/${pid}/stat`);
  const command = commandOf(pid);
  if (!stat || !command) return undefined;
  // Fields after the command name, which is in parentheses and may hold anything.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return `${fields[19]} ${command}`; // field 22, starttime
}

/** A file's text, or undefined when it cannot be read. */
export function readIfPresent(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}
