/**
 * Processes below a process, from Linux's /proc: what a bench started, directly or
 * through others (npm start's services, the nats-server a helper started). One that
 * exits meanwhile is simply not listed.
 */
import { readdirSync, readFileSync } from "node:fs";

/** The children of `pid`, of every one of its threads (any may spawn). */
export function childrenOf(pid: number): number[] {
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return []; // gone
  }
  return tasks.flatMap((task) => {
    try {
      const children = readFileSync(`/proc/${pid}/task/${task}/children`, "utf8");
      return children.split(" ").filter(Boolean).map(Number);
    } catch {
      return [];
    }
  });
}

/** `root` and every process under it, parents first. */
export function treePids(root: number): number[] {
  return [root, ...childrenOf(root).flatMap(treePids)];
}
