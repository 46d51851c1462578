import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { freePort, repoRoot } from "@gavel/testing";
import { afterEach, describe, expect, it } from "vitest";
import { commandOf } from "./linux-processes.ts";
import { AlreadyRunning, stopLeftovers } from "./process-records.ts";

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function tempStateDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "gavel-records-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * A launcher as npm start is one: its own process, which starts the local NATS (its own
 * session, its pid file) and then runs until killed. Answers it and the NATS's pid.
 */
async function launcherWithNats(stateDir: string) {
  const options = {
    module: pathToFileURL(join(import.meta.dirname, "local-nats.ts")).href,
    root: repoRoot,
    stateDir,
    port: await freePort(),
    monitorPort: await freePort(),
  };
  const script = `const o = JSON.parse(process.env.LAUNCH);
    const { startLocalNats } = await import(o.module);
    const nats = await startLocalNats(o);
    console.log(nats.process.pid);
    setInterval(() => {}, 60_000);`;
  const launcher = spawn(process.execPath, ["--input-type=module", "-e", script], {
    env: { ...process.env, LAUNCH: JSON.stringify(options) },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const [line] = (await once(launcher.stdout!, "data")) as [Buffer];
  const natsPid = Number(line.toString().trim());
  cleanups.push(() => {
    launcher.kill("SIGKILL");
    if (commandOf(natsPid)) process.kill(natsPid, "SIGKILL");
  });
  return { launcher, natsPid };
}

async function killOutright(launcher: ChildProcess): Promise<void> {
  const exited = once(launcher, "exit");
  launcher.kill("SIGKILL");
  await exited;
}

describe("what an earlier npm start left running", () => {
  it("is stopped and named once its launcher is gone, never while the launcher runs", async () => {
    const stateDir = tempStateDir();
    const { launcher, natsPid } = await launcherWithNats(stateDir);
    expect(readdirSync(join(stateDir, "pids"))).toEqual(["nats-server.json"]);

    const refused = stopLeftovers(stateDir);
    await expect(refused).rejects.toThrow(AlreadyRunning);
    await expect(refused).rejects.toThrow(`already running in this checkout (pid ${launcher.pid})`);
    expect(commandOf(natsPid)).toContain("nats-server");

    await killOutright(launcher);
    expect(commandOf(natsPid)).toContain("nats-server"); // its own session: it lives on
    expect(await stopLeftovers(stateDir)).toEqual([`nats-server (pid ${natsPid})`]);
    expect(commandOf(natsPid)).toBeUndefined();
    expect(readdirSync(join(stateDir, "pids"))).toEqual([]);
    expect(await stopLeftovers(stateDir)).toEqual([]);
  }, 60_000);

  it("is never a process that only has a recorded pid: the record names who it was", async () => {
    const stateDir = tempStateDir();
    const stranger = spawn("sleep", ["60"]);
    cleanups.push(() => stranger.kill("SIGKILL"));
    await once(stranger, "spawn");
    mkdirSync(join(stateDir, "pids"));
    const record = {
      name: "identity",
      pid: stranger.pid,
      identity: `1 ${commandOf(stranger.pid!)}`, // the same command, started at another time
      last: false,
      launcher: { pid: 1, identity: "1 not this launcher" },
    };
    writeFileSync(join(stateDir, "pids", "identity.json"), JSON.stringify(record));

    expect(await stopLeftovers(stateDir)).toEqual([]);
    expect(stranger.exitCode).toBeNull();
    expect(commandOf(stranger.pid!)).toBe("sleep 60");
  });
});
