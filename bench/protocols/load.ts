/**
 * The bench's measurements of one client: a closed loop at a fixed concurrency (through
 * the load generator's closedLoop, after an unmeasured warm-up), and the wire bytes of
 * sequential requests through a counting relay.
 */
import { closedLoop, percentile } from "@gavel/load";
import { bytesBetween, startByteRelay, type ByteCount } from "./byte-relay.ts";

/** Milliseconds to one decimal, for the tables. */
export const tenths = (ms: number): number => Math.round(ms * 10) / 10;

export interface LoadFigures {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  failed: number;
  lastProblem: string | undefined;
}

export interface LoadOptions {
  concurrency: number;
  seconds: number;
  warmupSeconds: number;
  /** Names the progress lines. */
  label: string;
  /** Called between the warm-up and the measured run (to reset the caller's counts). */
  onMeasureStart?: () => void;
}

/** `concurrency` workers calling `request` back to back; every call timed. */
export async function measureLoad(
  request: () => Promise<unknown>,
  options: LoadOptions,
): Promise<LoadFigures> {
  const step = async () => {
    await request();
    return { outcome: "accepted" as const };
  };
  const progress = (line: string) => process.stderr.write(`  ${line}\n`);
  if (options.warmupSeconds > 0)
    await closedLoop({ workers: options.concurrency, seconds: options.warmupSeconds, step });
  options.onMeasureStart?.();
  const result = await closedLoop({
    workers: options.concurrency,
    seconds: options.seconds,
    step,
    label: options.label,
    onProgress: progress,
    progressSeconds: 2,
    noun: "responses",
  });
  return {
    requestsPerSecond: result.accepted / options.seconds,
    p50Ms: percentile(result.latenciesMs, 50),
    p99Ms: percentile(result.latenciesMs, 99),
    failed: result.failed,
    lastProblem: result.lastProblem,
  };
}

/**
 * Bytes per request and per response on the wire: a client opened through a relay to
 * `targetPort` makes one unmeasured request (connection set-up, TLS handshake, HTTP/2
 * settings and the first use of header tables stay out), then `samples` counted ones.
 */
export async function measureWireBytes<C extends { close(): void }>(
  targetPort: number,
  open: (relayPort: number) => Promise<C>,
  request: (client: C) => Promise<unknown>,
  samples: number,
): Promise<ByteCount> {
  const relay = await startByteRelay(targetPort);
  try {
    const client = await open(relay.port);
    try {
      await request(client);
      const before = relay.count();
      for (let i = 0; i < samples; i++) await request(client);
      const counted = bytesBetween(before, relay.count());
      return { sent: counted.sent / samples, received: counted.received / samples };
    } finally {
      client.close();
    }
  } finally {
    await relay.close();
  }
}
