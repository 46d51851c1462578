/**
 * How much of a process's CPU profile is telemetry: each busy sample is charged to the
 * innermost frame of a package or of Gavel's own code (node's internals and native code
 * are charged to whoever called them: a span id's crypto to the SDK, an export's socket
 * writes to the exporter), then those in @opentelemetry/* and libs/telemetry are summed.
 */
import type { CpuProfile } from "../shared/node-inspector.ts";

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

const OWNED = /node_modules\/|\/(apps|libs)\//;
const TELEMETRY = /@opentelemetry\/|\/libs\/telemetry\//;

export interface TelemetryShare {
  /** Busy samples (not idle): the 100% the shares are of. */
  busy: number;
  /** Share of busy samples in telemetry code, by package, in %. */
  byPackage: Array<{ package: string; "% of busy CPU": number }>;
  /** The telemetry functions with the most samples, in % of busy. */
  byFunction: Array<{ function: string; "% of busy CPU": number }>;
}

export function telemetryShare(profile: CpuProfile, top = 12): TelemetryShare {
  const nodes = new Map((profile.nodes as Node[]).map((n) => [n.id, n]));
  const parents = new Map<number, number>();
  for (const node of nodes.values())
    for (const child of node.children ?? []) parents.set(child, node.id);
  const byPackage = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let busy = 0;
  for (const sample of profile.samples) {
    if (nodes.get(sample)?.callFrame.functionName === "(idle)") continue;
    busy++;
    let id: number | undefined = sample;
    while (id !== undefined && !OWNED.test(nodes.get(id)!.callFrame.url)) id = parents.get(id);
    const owner = id === undefined ? undefined : nodes.get(id)!.callFrame;
    if (!owner || !TELEMETRY.test(owner.url)) continue;
    const pkg = /.*node_modules\/(@[^/]+\/[^/]+)/.exec(owner.url)?.[1] ?? "libs/telemetry";
    const file = owner.url.replace(/^.*node_modules\//, "").replace(/^.*\/libs\//, "libs/");
    const fn = `${owner.functionName || "(anonymous)"} ${file}:${owner.lineNumber + 1}`;
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + 1);
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + 1);
  }
  const percent = (n: number) => Math.round((n / (busy || 1)) * 1000) / 10;
  const sorted = (m: Map<string, number>) => [...m.entries()].sort((a, b) => b[1] - a[1]);
  const total = [...byPackage.values()].reduce((a, b) => a + b, 0);
  return {
    busy,
    byPackage: [
      ...sorted(byPackage)
        .filter(([, n]) => percent(n) > 0)
        .map(([p, n]) => ({ package: p, "% of busy CPU": percent(n) })),
      { package: "all telemetry", "% of busy CPU": percent(total) },
    ],
    byFunction: sorted(byFunction)
      .slice(0, top)
      .map(([f, n]) => ({ function: f, "% of busy CPU": percent(n) })),
  };
}
