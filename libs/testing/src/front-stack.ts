import { ServiceGroup } from "./service-group.ts";
import { serviceEnv } from "./test-identity.ts";

export interface FrontStackOptions {
  /**
   * Also run settlement (the Go service; built on first use), for tests that read
   * invoices. Off by default: the other tests neither need it nor pay for its start.
   */
  settlement?: boolean;
  /** Start the front with its V8 inspector open, for heapAfterGc (hostile-input suites). */
  inspectFront?: boolean;
}

/**
 * identity, catalog and bidding (and settlement when asked), then a front (the REST edge
 * or the GraphQL BFF) pointed at them: every process real, on one real NATS. Nothing is
 * left running if any of them fails to start.
 */
export async function startFrontStack(
  natsUrl: string,
  front: "edge" | "bff",
  frontEnv: Record<string, string> = {},
  options: FrontStackOptions = {},
) {
  const group = new ServiceGroup();
  const env = { ...serviceEnv(natsUrl), GAVEL_MIN_LOT_SECONDS: "1" };
  const [identity, catalog, bidding] = await Promise.all(
    (["identity", "catalog", "bidding"] as const).map((app) => group.start(app, env)),
  );
  // Settlement waits for the LOT_EVENTS stream, which catalog and bidding create.
  const settlement = options.settlement ? await group.start("settlement", env) : undefined;
  const upstreamEnv = {
    ...env,
    GAVEL_IDENTITY_URL: identity!.rpcUrl,
    GAVEL_CATALOG_URL: catalog!.rpcUrl,
    GAVEL_BIDDING_URL: bidding!.rpcUrl,
    ...(settlement ? { GAVEL_SETTLEMENT_URL: settlement.rpcUrl } : {}),
  };
  const frontProcess = await group.start(
    front,
    { ...upstreamEnv, ...frontEnv },
    { inspect: options.inspectFront },
  );
  return {
    front: frontProcess,
    identity: identity!,
    upstreamEnv,
    processes: group.processes,
    stop: () => group.stop(),
  };
}
