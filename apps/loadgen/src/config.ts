import { defaultPorts, loadConfig, z } from "@gavel/config";

const count = (fallback: number, max: number) =>
  z.coerce.number().int().min(0).max(max).default(fallback);

export const configSchema = z.object({
  /** The REST edge the traffic goes through. */
  GAVEL_LOADGEN_EDGE_URL: z.url().default(`http://127.0.0.1:${defaultPorts.edge.http}`),
  /** Simulated bidders (each a user, signed up on first use). */
  GAVEL_LOADGEN_BIDDERS: count(5, 1000),
  /** Open lots the simulated seller keeps listed: a new one when one closes. */
  GAVEL_LOADGEN_LOTS: count(3, 100),
  /** How long each new lot runs: short, so people see lots close and new ones open. */
  GAVEL_LOADGEN_LOT_SECONDS: z.coerce.number().int().min(10).max(86_400).default(180),
  /** Bids per minute over all bidders. The edge counts 300 requests a minute per IP. */
  GAVEL_LOADGEN_BIDS_PER_MINUTE: z.coerce.number().min(0).max(100_000).default(20),
  /**
   * 0: the demo's steady pace. N: a closed-loop benchmark instead, N workers bidding as
   * fast as the edge answers, then a table of throughput and latency (needs a duration,
   * and an edge whose rate limits allow it).
   */
  GAVEL_LOADGEN_WORKERS: count(0, 10_000),
  /** Stop after this many seconds; 0 runs until Ctrl-C. */
  GAVEL_LOADGEN_DURATION_SECONDS: count(0, 7 * 86_400),
  /** A progress line every this many seconds. */
  GAVEL_LOADGEN_PROGRESS_SECONDS: z.coerce.number().int().min(1).max(3600).default(15),
  /** The simulated users' password (they are created with it). */
  GAVEL_LOADGEN_PASSWORD: z.string().min(8).default("gavel-loadgen-password"),
});

export type Config = z.infer<typeof configSchema>;

export const readConfig = (): Config =>
  loadConfig(
    configSchema.refine(
      (c) => c.GAVEL_LOADGEN_WORKERS === 0 || c.GAVEL_LOADGEN_DURATION_SECONDS > 0,
      {
        message:
          "a closed-loop run (GAVEL_LOADGEN_WORKERS > 0) needs GAVEL_LOADGEN_DURATION_SECONDS",
        path: ["GAVEL_LOADGEN_DURATION_SECONDS"],
      },
    ),
  );
