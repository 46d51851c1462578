import { z } from "zod";
import { defaultPorts } from "./ports.ts";

/** A TCP port number from a string variable. */
export const port = (fallback: number) =>
  z.coerce.number().int().min(0).max(65535).default(fallback);

/** A PEM block; accepts literal "\n" escapes, as some secret stores flatten newlines. */
export const pem = (label: "PUBLIC KEY" | "PRIVATE KEY") =>
  z
    .string()
    .transform((v) => v.replace(/\\n/g, "\n").trim())
    .refine((v) => v.startsWith(`-----BEGIN ${label}-----`), `must be a PEM "${label}" block`);

/** What every service reads: where it listens, how it logs, and NATS. */
export const serviceBase = {
  HOST: z.string().min(1).default("0.0.0.0"),
  LOG_LEVEL: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]).default("info"),
  NATS_URL: z
    .string()
    .default("nats://127.0.0.1:4222")
    .transform((v) =>
      v
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .refine((v) => v.length > 0, "must list at least one server"),
  NATS_USER: z.string().optional(),
  NATS_PASSWORD: z.string().optional(),
  /** How long in-flight calls may take to finish after SIGTERM before the process exits. */
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(120_000).default(10_000),
};

/** What a service that verifies tokens reads. */
export const tokenVerification = {
  GAVEL_JWT_PUBLIC_KEY: pem("PUBLIC KEY"),
};

/** Replication of the streams and buckets a service creates: 1 locally, 3 in the chart. */
export const storageReplicas = {
  GAVEL_KV_REPLICAS: z.coerce.number().int().min(1).max(5).default(1),
  GAVEL_STREAM_REPLICAS: z.coerce.number().int().min(1).max(5).default(1),
};

/**
 * Lot states a service keeps folded in memory (LotStateStore), least recently used
 * dropped past it; the rest are re-read from their streams. At 15-20 KiB per lot (a
 * lot of 35 bids; docs/reliability.md, the soak), the default caps it near 150-200 MiB.
 */
export const lotStateCache = {
  GAVEL_LOT_CACHE_SIZE: z.coerce.number().int().min(100).max(1_000_000).default(10_000),
};

/** Everything a Connect service reads in common, with its own default ports. */
export function connectServiceSettings(ports: { rpc: number; admin: number }) {
  return {
    ...serviceBase,
    ...tokenVerification,
    ...storageReplicas,
    PORT: port(ports.rpc),
    ADMIN_PORT: port(ports.admin),
  };
}

const serviceUrl = z.url({ protocol: /^https?$/ });

/** Where a front (edge, BFF) finds the internal services. */
/** A comma-separated list; blanks around and between items are dropped. */
export const commaList = z.string().transform((v) =>
  v
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean),
);

/**
 * Browser origins the fronts (edge, BFF) allow by CORS, comma-separated. By default the
 * web page's, which the edge serves; behind the chart's Ingress all share one origin.
 */
export const corsOrigins = {
  GAVEL_CORS_ORIGINS: commaList.default([
    `http://localhost:${defaultPorts.edge.http}`,
    `http://127.0.0.1:${defaultPorts.edge.http}`,
  ]),
};

export const upstreamServices = {
  GAVEL_CATALOG_URL: serviceUrl.default(`http://127.0.0.1:${defaultPorts.catalog.rpc}`),
  GAVEL_BIDDING_URL: serviceUrl.default(`http://127.0.0.1:${defaultPorts.bidding.rpc}`),
  GAVEL_IDENTITY_URL: serviceUrl.default(`http://127.0.0.1:${defaultPorts.identity.rpc}`),
  GAVEL_SETTLEMENT_URL: serviceUrl.default(`http://127.0.0.1:${defaultPorts.settlement.rpc}`),
};

export function upstreamUrlsOf(config: {
  GAVEL_CATALOG_URL: string;
  GAVEL_BIDDING_URL: string;
  GAVEL_IDENTITY_URL: string;
  GAVEL_SETTLEMENT_URL: string;
}) {
  return {
    catalog: config.GAVEL_CATALOG_URL,
    bidding: config.GAVEL_BIDDING_URL,
    identity: config.GAVEL_IDENTITY_URL,
    settlement: config.GAVEL_SETTLEMENT_URL,
  };
}
