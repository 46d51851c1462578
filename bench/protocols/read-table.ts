/**
 * A read table of the protocol bench (1: one read over each protocol; 4: HTTP/2 against
 * HTTP/1.1; 5: a whole page): every variant's bytes on the wire, then its reads/s and
 * latency at each concurrency level, one variant after another on the same running stack
 * and data.
 */
import { printTable } from "@gavel/load";
import { measureLoad, measureWireBytes } from "./load.ts";
import { TLS_TARGETS, type Inspection, type ReadTarget, type ReadVariant } from "./read-variant.ts";
import type { ProtocolSettings } from "./settings.ts";

/** Where each target listens on 127.0.0.1 (nginx's only when it runs). */
export type TargetPorts = Partial<Record<ReadTarget, number>>;

/** The table's heading, and what one read is called in its columns. */
export interface ReadTableTitle {
  heading: string;
  /** "req" where a read is one request; "page" where it is all a page's requests. */
  unit: "req" | "page";
}

export function baseUrlOf(target: ReadTarget, port: number): string {
  return `${TLS_TARGETS.has(target) ? "https" : "http"}://127.0.0.1:${port}`;
}

interface VariantResult {
  variant: ReadVariant;
  inspection: Inspection;
  wire: { sent: number; received: number };
  levels: Map<number, Awaited<ReturnType<typeof measureLoad>>>;
}

async function measureVariant(
  variant: ReadVariant,
  ports: TargetPorts,
  settings: ProtocolSettings,
  position: string,
): Promise<VariantResult> {
  const port = ports[variant.target];
  if (port === undefined) throw new Error(`${variant.name}: nothing listens for ${variant.target}`);
  process.stderr.write(`[reads ${position}] ${variant.name}: wire bytes\n`);
  let inspection: Inspection | undefined;
  const wire = await measureWireBytes(
    port,
    (relayPort) => variant.open(baseUrlOf(variant.target, relayPort)),
    async (reader) => (inspection = await reader.inspect()),
    settings.bytesSamples,
  );
  const levels = new Map<number, Awaited<ReturnType<typeof measureLoad>>>();
  const reader = await variant.open(baseUrlOf(variant.target, port));
  try {
    for (const concurrency of settings.concurrency) {
      const label = `${variant.name} @${concurrency}`;
      process.stderr.write(`[reads ${position}] ${label}: ${settings.seconds} s\n`);
      const figures = await measureLoad(() => reader.read(), { ...settings, concurrency, label });
      process.stderr.write(
        `  ${figures.requestsPerSecond.toFixed(0)} req/s, p50 ${figures.p50Ms.toFixed(1)} ms, ` +
          `p99 ${figures.p99Ms.toFixed(1)} ms, ${figures.failed} failed` +
          `${figures.lastProblem ? ` (last: ${figures.lastProblem})` : ""}\n`,
      );
      levels.set(concurrency, figures);
    }
  } finally {
    reader.close();
  }
  return { variant, inspection: inspection!, wire, levels };
}

export async function runReadTable(
  title: ReadTableTitle,
  variants: ReadVariant[],
  ports: TargetPorts,
  settings: ProtocolSettings,
): Promise<void> {
  const results: VariantResult[] = [];
  for (const [i, variant] of variants.entries())
    results.push(await measureVariant(variant, ports, settings, `${i + 1}/${variants.length}`));

  const round = (n: number) => Math.round(n);
  const page = title.unit === "page";
  console.log(`\n## ${title.heading}\n`);
  printTable(
    results.map(({ variant, inspection, wire, levels }) => {
      const row: Record<string, string | number> = {
        variant: variant.name,
        coding: inspection.encoding,
        ...(page ? { "requests/page": inspection.requests ?? 1 } : {}),
        "body B": inspection.bodyBytes ?? "-",
        [page ? "wire B in/page" : "wire B/resp"]: round(wire.received),
        [page ? "wire B out/page" : "wire B/req"]: round(wire.sent),
      };
      for (const [c, f] of levels) {
        row[`${page ? "pages/s" : "req/s"} @${c}`] = round(f.requestsPerSecond);
        row[`p50/p99 ms @${c}`] = `${f.p50Ms.toFixed(1)} / ${f.p99Ms.toFixed(1)}`;
      }
      row.failed = [...levels.values()].reduce((n, f) => n + f.failed, 0);
      return row;
    }),
  );
  console.log("\nWhat each answer held (one checked read per variant)\n");
  printTable(
    results.map(({ variant, inspection }) => ({
      variant: variant.name,
      lots: inspection.lots,
      "seller names": inspection.sellerNames,
      "highest bids": inspection.highestBids,
      note: variant.note,
    })),
  );
}
