import { natsUserEnv } from "./nats-users.ts";
import { ServiceGroup } from "./service-group.ts";
import type { AppName, ServiceProcess } from "./service-process.ts";
import { serviceEnv } from "./test-identity.ts";

export interface WholeStackOptions {
  /** Each app connects as its own NATS user with this password (startNatsServerWithUsers). */
  natsPasswords?: Record<AppName, string>;
  /** Added to every app's environment (LOG_LEVEL, say). */
  env?: Record<string, string>;
  /** Open every Node app's V8 inspector, for heapAfterGc (the soak samples the live heap). */
  inspect?: boolean;
}

/**
 * Every app, one process each, on one real NATS: the services, settlement (Go, built on
 * first use), the notifier, and the three fronts (edge, BFF, push) pointed at them. For
 * tests of what holds across all of them (authentication, NATS users, logs).
 */
export async function startWholeStack(natsUrl: string, options: WholeStackOptions = {}) {
  const group = new ServiceGroup();
  const base = { ...serviceEnv(natsUrl), GAVEL_MIN_LOT_SECONDS: "1", ...options.env };
  const envOf = (app: AppName, extra: Record<string, string> = {}) => ({
    ...base,
    ...(options.natsPasswords ? natsUserEnv(app, options.natsPasswords) : {}),
    ...extra,
  });
  const start = (app: AppName, extra?: Record<string, string>) =>
    group.start(app, envOf(app, extra), { inspect: options.inspect });
  const [identity, catalog, bidding] = await Promise.all([
    start("identity"),
    start("catalog"),
    start("bidding"),
  ]);
  // Both wait for the LOT_EVENTS stream, which catalog and bidding create.
  const [settlement, notifier] = await Promise.all([start("settlement"), start("notifier")]);
  const upstream = {
    GAVEL_IDENTITY_URL: identity!.rpcUrl,
    GAVEL_CATALOG_URL: catalog!.rpcUrl,
    GAVEL_BIDDING_URL: bidding!.rpcUrl,
    GAVEL_SETTLEMENT_URL: settlement!.rpcUrl,
  };
  const [edge, bff, push] = await Promise.all([
    start("edge", upstream),
    start("bff", upstream),
    start("push", upstream),
  ]);
  const apps: Record<AppName, ServiceProcess> = {
    identity: identity!,
    catalog: catalog!,
    bidding: bidding!,
    settlement: settlement!,
    notifier: notifier!,
    edge: edge!,
    bff: bff!,
    push: push!,
  };
  return { apps, processes: group.processes, stop: () => group.stop() };
}

export type WholeStack = Awaited<ReturnType<typeof startWholeStack>>;
