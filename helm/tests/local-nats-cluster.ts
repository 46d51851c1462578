import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort, untilHttpOk } from "../../libs/testing/src/index.ts";

export interface LocalNatsCluster {
  /** The client URLs, as NATS_URL lists them. */
  urls: string[];
  /** Every line the servers logged. */
  log: string[];
  stop(): Promise<void>;
}

/** The pinned nats-server: NATS_SERVER_BIN (CI sets it), else scripts/tools/nats-server.sh. */
export function natsServerBinary(): string {
  if (process.env.NATS_SERVER_BIN) return process.env.NATS_SERVER_BIN;
  const script = fileURLToPath(new URL("../../scripts/tools/nats-server.sh", import.meta.url));
  return execFileSync(script, { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }).trim();
}

/**
 * The chart's NATS configuration, run as a cluster of `size` servers on loopback: the
 * same users, permissions, account and JetStream settings, with only addresses and paths
 * moved from the pod's to free local ports and a temp dir.
 */
export async function startLocalNatsCluster(
  chartConfig: string,
  passwords: Record<string, string>,
  size = 3,
): Promise<LocalNatsCluster> {
  const dir = mkdtempSync(join(tmpdir(), "gavel-chart-nats-"));
  const ports = await Promise.all(
    Array.from({ length: size }, async () => ({
      client: await freePort(),
      route: await freePort(),
      monitor: await freePort(),
    })),
  );
  const routes = ports.map((p) => `nats://127.0.0.1:${p.route}`).join("\n");
  const log: string[] = [];
  const servers: ChildProcess[] = ports.map((p, i) => {
    const config = chartConfig
      .replace("listen: 0.0.0.0:4222", `listen: 127.0.0.1:${p.client}`)
      .replace("http: 0.0.0.0:8222", `http: 127.0.0.1:${p.monitor}`)
      .replace("listen: 0.0.0.0:6222", `listen: 127.0.0.1:${p.route}`)
      .replace(/routes: \[[^\]]*\]/, `routes: [\n${routes}\n]`)
      .replace("store_dir: /data", `store_dir: ${join(dir, `data-${i}`)}`)
      .replace("pid_file: /var/run/nats/nats.pid", `pid_file: ${join(dir, `nats-${i}.pid`)}`);
    const file = join(dir, `nats-${i}.conf`);
    writeFileSync(file, config);
    const server = spawn(natsServerBinary(), ["-c", file], {
      env: { PATH: process.env.PATH ?? "", POD_NAME: `nats-${i}`, ...passwords },
      stdio: ["ignore", "pipe", "pipe"],
    });
    for (const stream of [server.stdout, server.stderr]) {
      stream?.setEncoding("utf8").on("data", (chunk: string) => log.push(...chunk.split("\n")));
    }
    return server;
  });
  const stop = async () => {
    await Promise.all(
      servers.map(
        (s) =>
          new Promise<void>((resolve) => {
            if (s.exitCode !== null) return resolve();
            s.once("exit", () => resolve());
            s.kill("SIGTERM");
          }),
      ),
    );
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await Promise.all(ports.map((p) => untilHealthy(`http://127.0.0.1:${p.monitor}`, log)));
  } catch (err) {
    await stop();
    throw err;
  }
  return { urls: ports.map((p) => `nats://127.0.0.1:${p.client}`), log, stop };
}

/** Until the server is healthy, JetStream meta leader elected (stricter than the chart's probes). */
async function untilHealthy(monitor: string, log: string[]): Promise<void> {
  const answer = await untilHttpOk(`${monitor}/healthz`, { timeoutMs: 30_000, intervalMs: 200 });
  if (answer === "ok") return;
  throw new Error(`NATS at ${monitor} never became healthy:\n${log.slice(-30).join("\n")}`);
}
