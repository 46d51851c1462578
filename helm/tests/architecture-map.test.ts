import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import {
  CLOSING_SOON_AT_WILDCARD,
  CLOSING_SOON_DUE_WILDCARD,
  edgeRateLimits,
  INVOICE_SUBJECT_WILDCARD,
  INVOICES_STREAM,
  LOT_EVENTS_STREAM,
  LOT_SUBJECT_WILDCARD,
  NOTIFICATIONS_STREAM,
  NOTIFIER_SCHEDULES_STREAM,
  NOTIFY_SUBJECT_WILDCARD,
} from "../../libs/nats/src/names.ts";
import { natsPermissions } from "../../libs/testing/src/nats-users.ts";
import { apps, render } from "./chart.ts";
import { mermaidBlocks, parseFlowchart, type Flowchart } from "./mermaid-flowchart.ts";
import { allowedArrows, ingressControllerTargets } from "./network-arrows.ts";

const repo = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url));
const doc = "docs/architecture.md";
const marker = "helm/tests/architecture-map.test.ts";

/** The flowchart in docs/architecture.md that names this test as its checker. */
function architectureMap(): Flowchart {
  const blocks = mermaidBlocks(readFileSync(repo(doc), "utf8")).filter((b) => b.includes(marker));
  expect(blocks.length, `one mermaid block in ${doc} names ${marker}`).toBe(1);
  return parseFlowchart(blocks[0]!);
}

/** Clients outside the cluster: their arrows go to the ingress, which no policy governs. */
const outside = new Set(["web", "loadgen"]);
/** The box that holds the JetStream streams, one node each, named as the stream. */
const STREAMS = "streams";

/** The nodes an arrow's end stands for: a box is each node in it. */
const endsOf = (chart: Flowchart, id: string) => chart.boxes.get(id)?.members ?? [id];

const difference = (a: Set<string>, b: Set<string>) => [...a].filter((x) => !b.has(x)).sort();

/** A failure message naming what is missing from the drawing and what it has too many of. */
function mismatch(drawn: Set<string>, truth: Set<string>, source: string): string[] {
  return [
    ...difference(truth, drawn).map((a) => `missing from ${doc}: ${a} (${source})`),
    ...difference(drawn, truth).map((a) => `drawn in ${doc} but not in ${source}: ${a}`),
  ];
}

const rateLimits = edgeRateLimits(60); // the chart's window, GAVEL_RATE_LIMIT_WINDOW_SECONDS
/** Each stream's subjects, as the code that creates it configures them. */
const streamSubjects: Record<string, string[]> = {
  [LOT_EVENTS_STREAM]: [LOT_SUBJECT_WILDCARD],
  [NOTIFICATIONS_STREAM]: [NOTIFY_SUBJECT_WILDCARD],
  [INVOICES_STREAM]: [INVOICE_SUBJECT_WILDCARD],
  [NOTIFIER_SCHEDULES_STREAM]: [CLOSING_SOON_AT_WILDCARD, CLOSING_SOON_DUE_WILDCARD],
  [rateLimits.stream]: [`${rateLimits.subjectPrefix}.>`],
};

/** `app -> stream` for every stream an app's NATS user may use, `app writes stream` for appends. */
function grantedStreamUse(): { uses: Set<string>; writes: Set<string> } {
  const uses = new Set<string>();
  const writes = new Set<string>();
  for (const app of apps) {
    const allowed = natsPermissions(app).publish.allow;
    for (const subject of allowed) {
      const stream = /^\$JS\.API\.STREAM\.INFO\.(\S+)$/.exec(subject)?.[1];
      if (stream && !stream.startsWith("KV_")) uses.add(`${app} -> ${stream}`);
      if (subject.startsWith("$")) continue;
      const holder = Object.keys(streamSubjects).find((s) => streamSubjects[s]!.includes(subject));
      expect(holder, `the stream that holds ${app}'s ${subject}`).toBeDefined();
      writes.add(`${app} writes ${holder}`);
    }
  }
  return { uses, writes };
}

describe(`${doc}'s map`, () => {
  test("has a node for every app in apps/", () => {
    const chart = architectureMap();
    const folders = readdirSync(repo("apps"), { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name);
    expect(folders.filter((app) => !chart.nodes.has(app))).toEqual([]);
  });

  test("its solid arrows are exactly the connections the network policies allow", async () => {
    const chart = architectureMap();
    const objects = await render();
    // Not drawn: Jaeger (every app's spans, the edge's trace reads: see Telemetry), the
    // `helm test` pod, and the routes between the NATS servers.
    const allowed = new Set(
      [...allowedArrows(objects)]
        .map((arrow) => arrow.replace(/:\d+$/, ""))
        .filter((arrow) => !/\b(?:jaeger|smoke-test)\b/.test(arrow) && arrow !== "nats -> nats"),
    );
    for (const front of ingressControllerTargets(objects)) allowed.add(`ingress -> ${front}`);

    const drawn = new Set<string>();
    for (const edge of chart.edges.filter((e) => e.style === "solid")) {
      if (outside.has(edge.from)) continue;
      for (const from of endsOf(chart, edge.from))
        for (const to of endsOf(chart, edge.to)) drawn.add(`${from} -> ${to}`);
    }
    const problems = mismatch(drawn, allowed, "the chart's NetworkPolicies");
    expect(problems, problems.join("\n")).toEqual([]);
  });

  test("its dotted arrows join apps to the streams their NATS users are granted", () => {
    const chart = architectureMap();
    const streams = new Set(chart.boxes.get(STREAMS)?.members);
    expect([...streams].sort()).toEqual(Object.keys(streamSubjects).sort());

    const uses = new Set<string>();
    const writes = new Set<string>();
    for (const { from, to, both } of chart.edges.filter((e) => e.style === "dotted")) {
      const [app, stream] = streams.has(to) ? [from, to] : [to, from];
      expect(streams.has(stream) && !streams.has(app), `${from} -.-> ${to}: app and stream`).toBe(
        true,
      );
      uses.add(`${app} -> ${stream}`);
      if (stream === to || both) writes.add(`${app} writes ${stream}`);
    }
    const granted = grantedStreamUse();
    const problems = [
      ...mismatch(uses, granted.uses, "the chart's NATS grants (apps.<app>.nats.streams)"),
      ...mismatch(writes, granted.writes, "the chart's NATS grants (apps.<app>.nats.publish)"),
    ];
    expect(problems, problems.join("\n")).toEqual([]);
  });
});
