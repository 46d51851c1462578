/**
 * A real HTTP cache for the protocol bench: Debian's nginx with proxy_cache, keeping what
 * Cache-Control allows; per origin a caching and a proxy-only listener and, given a
 * certificate, the same two over TLS (h2 and HTTP/1.1 by ALPN), an h2 front to set against
 * the edge's: docs/benchmarks.md#the-same-read-and-the-same-event-over-every-protocol
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
  /** The same two over TLS, HTTP/2 or HTTP/1.1 by ALPN; when started with a certificate. */
  tlsCached?: number;
  tlsProxied?: number;
}

/** PEM files for the TLS listeners. */
export interface Certificate {
  cert: string;
  key: string;
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

/** nginx 1.25.1 turned HTTP/2 on by a directive of its own; older ones by a listen flag. */
function hasHttp2Directive(bin: string): boolean {
  const banner = spawnSync(bin, ["-v"], { encoding: "utf8" }).stderr;
  const [major = 0, minor = 0, patch = 0] = (/nginx\/(\d+)\.(\d+)\.(\d+)/.exec(banner) ?? [])
    .slice(1)
    .map(Number);
  return major > 1 || (major === 1 && (minor > 25 || (minor === 25 && patch >= 1)));
}

/** How a TLS listener is written: its certificate, and how this nginx turns HTTP/2 on. */
interface TlsListener {
  cert: Certificate;
  http2Directive: boolean;
}

/** The listen line, plain or TLS with HTTP/2 offered by ALPN. */
function listen(port: number, tls: TlsListener | undefined): string {
  if (!tls) return `listen 127.0.0.1:${port};`;
  return [
    `listen 127.0.0.1:${port} ssl${tls.http2Directive ? "" : " http2"};`,
    ...(tls.http2Directive ? ["http2 on;"] : []),
    `ssl_certificate ${tls.cert.cert};`,
    `ssl_certificate_key ${tls.cert.key};`,
  ].join("\n    ");
}

function serverBlock(port: number, upstream: string, cache: boolean, tls?: TlsListener): string {
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
    ${listen(port, tls)}
    location / {
      proxy_pass http://${upstream};${caching}
    }
  }`;
}

function configuration(
  dir: string,
  origins: Record<string, number>,
  ports: Nginx["ports"],
  tls: TlsListener | undefined,
) {
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
    ...(tls && p.tlsCached && p.tlsProxied
      ? [serverBlock(p.tlsCached, name, true, tls), serverBlock(p.tlsProxied, name, false, tls)]
      : []),
  ]);
  return `daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  # nginx ends a connection after 1,000 requests by default; a bench client would reconnect.
  keepalive_requests 10000000;
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

/**
 * nginx in front of each origin (name: its port on 127.0.0.1); with a certificate, TLS
 * listeners beside the plain ones.
 */
export async function startNginx(
  bin: string,
  origins: Record<string, number>,
  cert?: Certificate,
): Promise<Nginx> {
  const dir = mkdtempSync(join(tmpdir(), "gavel-nginx-"));
  // Run as root, nginx's workers are `nobody`: they must reach the cache folder in here.
  chmodSync(dir, 0o755);
  const ports: Nginx["ports"] = {};
  for (const name of Object.keys(origins)) {
    ports[name] = { cached: await freePort(), proxied: await freePort() };
    if (cert)
      Object.assign(ports[name], { tlsCached: await freePort(), tlsProxied: await freePort() });
  }
  const tls = cert ? { cert, http2Directive: hasHttp2Directive(bin) } : undefined;
  const conf = join(dir, "nginx.conf");
  writeFileSync(conf, configuration(dir, origins, ports, tls));
  const child = spawn(bin, ["-p", dir, "-c", conf, "-e", join(dir, "error.log")], {
    stdio: ["ignore", "ignore", "inherit"],
  });
  process.once("exit", () => child.kill("SIGKILL"));
  const stop = async () => {
    await stopChild(child);
    rmSync(dir, { recursive: true, force: true });
  };
  const all = Object.values(ports).flatMap((p) =>
    [p.cached, p.proxied, p.tlsCached, p.tlsProxied].filter((port) => port !== undefined),
  );
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
