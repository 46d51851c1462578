/**
 * A real HTTP cache for the protocol bench: Debian's nginx with proxy_cache, started from
 * a generated configuration in a temporary folder (pid, logs, temp files and the cache
 * all in it; nothing of the system's nginx is used), in the foreground, and stopped by
 * its pid. It keeps what the origin's Cache-Control allows, no more: no proxy_cache_valid,
 * no ignored headers. Each origin gets two listeners: one caching, one only proxying, so
 * the cache's effect is measured apart from the extra hop.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "@gavel/testing";

export const NGINX_INSTALL_HINT =
  "nginx is not installed: as root, `apt-get update && apt-get install -y nginx-light` " +
  "(Debian's package; the bench only needs the binary), or set NGINX_BIN to an nginx binary";

export interface CachePorts {
  /** Caching listener in front of the origin. */
  cached: number;
  /** Proxy-only listener in front of the same origin. */
  proxied: number;
}

export interface Nginx {
  ports: Record<string, CachePorts>;
  stop(): Promise<void>;
}

/** The nginx binary to run, or undefined when there is none. */
export function findNginx(): string | undefined {
  const candidates = [process.env.NGINX_BIN, "nginx", "/usr/sbin/nginx"].filter(
    (c): c is string => !!c,
  );
  return candidates.find((bin) => spawnSync(bin, ["-v"], { stdio: "ignore" }).status === 0);
}

function serverBlock(port: number, upstream: string, cache: boolean): string {
  const caching = cache
    ? `
      proxy_cache gavel;
      proxy_cache_lock on;
      proxy_cache_use_stale updating;
      proxy_cache_background_update on;
      add_header X-Cache-Status $upstream_cache_status always;`
    : "";
  return `
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://${upstream};${caching}
    }
  }`;
}

function configuration(dir: string, origins: Record<string, number>, ports: Nginx["ports"]) {
  const upstreams = Object.entries(origins).map(
    ([name, port]) => `
  upstream ${name} {
    server 127.0.0.1:${port};
    keepalive 64;
  }`,
  );
  const servers = Object.entries(ports).flatMap(([name, p]) => [
    serverBlock(p.cached, name, true),
    serverBlock(p.proxied, name, false),
  ]);
  return `daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy_temp;
  fastcgi_temp_path ${dir}/fastcgi_temp;
  uwsgi_temp_path ${dir}/uwsgi_temp;
  scgi_temp_path ${dir}/scgi_temp;
  proxy_cache_path ${dir}/cache levels=1:2 keys_zone=gavel:10m max_size=64m inactive=10m use_temp_path=off;
  proxy_http_version 1.1;
  proxy_set_header Connection "";
${upstreams.join("\n")}
${servers.join("\n")}
}
`;
}

function acceptsConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
  return exited.finally(() => clearTimeout(timer));
}

/** nginx in front of each origin (name: its port on 127.0.0.1). */
export async function startNginx(bin: string, origins: Record<string, number>): Promise<Nginx> {
  const dir = mkdtempSync(join(tmpdir(), "gavel-nginx-"));
  // Run as root, nginx's workers are `nobody`: they must reach the cache folder in here.
  chmodSync(dir, 0o755);
  const ports: Nginx["ports"] = {};
  for (const name of Object.keys(origins))
    ports[name] = { cached: await freePort(), proxied: await freePort() };
  const conf = join(dir, "nginx.conf");
  writeFileSync(conf, configuration(dir, origins, ports));
  const child = spawn(bin, ["-p", dir, "-c", conf, "-e", join(dir, "error.log")], {
    stdio: ["ignore", "ignore", "inherit"],
  });
  process.once("exit", () => child.kill("SIGKILL"));
  const stop = async () => {
    await stopChild(child);
    rmSync(dir, { recursive: true, force: true });
  };
  const all = Object.values(ports).flatMap((p) => [p.cached, p.proxied]);
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline && child.exitCode === null) {
    const answers = await Promise.all(all.map(acceptsConnections));
    if (answers.every(Boolean)) return { ports, stop };
    await new Promise((r) => setTimeout(r, 50));
  }
  const logFile = join(dir, "error.log");
  const log = existsSync(logFile) ? readFileSync(logFile, "utf8") : "(none)";
  await stop();
  throw new Error(`nginx did not start (exit ${child.exitCode}); its error log:\n${log}`);
}
