/**
 * What the protocol bench runs against: one real NATS and every service it reads from as
 * its own process (identity, catalog, bidding; the REST edge with its TLS front, the
 * GraphQL BFF, the push gateway), started by @gavel/testing and stopped together.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  freePort,
  serviceEnv,
  ServiceGroup,
  type NatsServerHandle,
  type ServiceProcess,
} from "@gavel/testing";
import type { Certificate } from "./nginx.ts";
import { startBenchNats } from "../shared/bench-nats.ts";

export interface ProtocolStack {
  nats: NatsServerHandle;
  identity: ServiceProcess;
  catalog: ServiceProcess;
  bidding: ServiceProcess;
  edge: ServiceProcess;
  /** The edge's TLS front (HTTP/2 and HTTP/1.1 by ALPN). */
  edgeTlsPort: number;
  /** Its self-signed certificate, which nginx's TLS listeners serve too. */
  tls: Certificate;
  bff: ServiceProcess;
  push: ServiceProcess;
  stop(): Promise<void>;
}

/** The port of a service URL (http://127.0.0.1:port). */
export const portOf = (url: string): number => Number(new URL(url).port);

/** A throwaway self-signed certificate for the edge's TLS front, made with openssl. */
function selfSignedCertificate(dir: string): Certificate {
  const cert = join(dir, "cert.pem");
  const key = join(dir, "key.pem");
  execFileSync(
    "openssl",
    [
      ...["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"],
      ...["-days", "1", "-subj", "/CN=localhost", "-keyout", key, "-out", cert],
    ],
    { stdio: "ignore" },
  );
  return { cert, key };
}

export async function startProtocolStack(): Promise<ProtocolStack> {
  const nats = await startBenchNats();
  const certDir = mkdtempSync(join(tmpdir(), "gavel-protocols-tls-"));
  const group = new ServiceGroup();
  const stop = async () => {
    await group.stop();
    await nats.stop();
    rmSync(certDir, { recursive: true, force: true });
  };
  try {
    const env = { ...serviceEnv(nats.url), LOG_LEVEL: "warn", GAVEL_MIN_LOT_SECONDS: "1" };
    const [identity, catalog, bidding] = await Promise.all(
      (["identity", "catalog", "bidding"] as const).map((app) => group.start(app, env)),
    );
    const upstream = {
      ...env,
      GAVEL_IDENTITY_URL: identity!.rpcUrl,
      GAVEL_CATALOG_URL: catalog!.rpcUrl,
      GAVEL_BIDDING_URL: bidding!.rpcUrl,
    };
    const tls = selfSignedCertificate(certDir);
    const edgeTlsPort = await freePort();
    const [edge, bff, push] = await Promise.all([
      group.start("edge", {
        ...upstream,
        GAVEL_TLS_CERT_FILE: tls.cert,
        GAVEL_TLS_KEY_FILE: tls.key,
        GAVEL_HTTPS_PORT: String(edgeTlsPort),
        // One client machine makes all the load: lift the per-IP limit to measure the path.
        GAVEL_RATE_LIMIT_PER_IP: "1000000",
      }),
      // Production: no development-only extensions in the answer, so its bytes are real.
      group.start("bff", { ...upstream, GAVEL_ENV: "production" }),
      group.start("push", upstream),
    ]);
    return {
      nats,
      identity: identity!,
      catalog: catalog!,
      bidding: bidding!,
      edge: edge!,
      edgeTlsPort,
      tls,
      bff: bff!,
      push: push!,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
