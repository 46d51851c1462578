import type { NatsConnection } from "@nats-io/transport-node";
import { afterAll, describe, expect, test } from "vitest";
import { natsPermissions, natsUserNames } from "@gavel/testing";
import { connectAsApp, objectName, releasePods } from "./cluster.ts";

/** NATS subject patterns: `*` is one token, `>` the rest. */
function matches(pattern: string, subject: string): boolean {
  const p = pattern.split(".");
  const s = subject.split(".");
  for (let i = 0; i < p.length; i++) {
    if (p[i] === ">") return s.length > i;
    if (i >= s.length || (p[i] !== "*" && p[i] !== s[i])) return false;
  }
  return p.length === s.length;
}

function allowedFor(app: string, subject: string): boolean {
  const { publish } = natsPermissions(app);
  return (
    publish.allow.some((p) => matches(p, subject)) &&
    !(publish.deny ?? []).some((p) => matches(p, subject))
  );
}

const apps = natsUserNames();
/** Every stream some app may read: its own, other apps', the KV buckets'. */
const streams = [
  ...new Set(
    apps.flatMap((app) =>
      natsPermissions(app)
        .publish.allow.map((s) => /^\$JS\.API\.STREAM\.INFO\.(\w+)$/.exec(s)?.[1])
        .filter((s): s is string => s !== undefined),
    ),
  ),
].sort();

/** A connection as an app's chart user, and the permission violations the server reports. */
async function connectAs(app: string): Promise<{ nc: NatsConnection; violations: string[] }> {
  const nc = await connectAsApp(app);
  const violations: string[] = [];
  void (async () => {
    for await (const status of nc.status())
      if (status.type === "error" && /Permissions Violation/.test(String(status.error)))
        violations.push(String(status.error));
  })();
  return { nc, violations };
}

const open: NatsConnection[] = [];
afterAll(async () => {
  await Promise.all(open.map((nc) => nc.close()));
});

describe("NATS: three servers, one JetStream cluster, R3 storage", () => {
  test("the lot events stream has three replicas, one per server, all current", async () => {
    const { nc } = await connectAs("catalog");
    open.push(nc);
    const info = (await nc.request("$JS.API.STREAM.INFO.LOT_EVENTS", "", { timeout: 5_000 })).json<{
      config: { num_replicas: number };
      cluster: { leader: string; replicas: Array<{ name: string; current: boolean }> };
    }>();
    expect(info.config.num_replicas).toBe(3);
    const servers = [info.cluster.leader, ...info.cluster.replicas.map((r) => r.name)].sort();
    expect(servers).toEqual([0, 1, 2].map((i) => `${objectName("nats")}-${i}`));
    expect(info.cluster.replicas.every((r) => r.current)).toBe(true);
  });

  test("every server sees the other two as routes and the same meta leader", async () => {
    const pods = await releasePods("nats");
    expect(pods).toHaveLength(3);
    const leaders = new Set<string>();
    for (const pod of pods) {
      const monitor = `http://${pod.status.podIP}:8222`;
      const jsz = (await (await fetch(`${monitor}/jsz`)).json()) as {
        meta_cluster: { leader: string; cluster_size: number };
      };
      expect(jsz.meta_cluster.cluster_size, pod.metadata.name).toBe(3);
      leaders.add(jsz.meta_cluster.leader);
      const routez = (await (await fetch(`${monitor}/routez`)).json()) as {
        routes: Array<{ remote_name?: string }>;
      };
      const peers = new Set(routez.routes.map((r) => r.remote_name));
      expect(peers.size, `${pod.metadata.name} routes`).toBe(2);
    }
    expect(leaders.size).toBe(1);
  });
});

describe("NATS: each app's user does only what the permission table says", () => {
  test.each(apps)("%s", async (app) => {
    const { nc, violations } = await connectAs(app);
    open.push(nc);
    // Reads: the streams it is granted answer (info, or "not found" if not made yet);
    // the others are refused by the server before JetStream sees them.
    const refused: string[] = [];
    for (const stream of streams) {
      const subject = `$JS.API.STREAM.INFO.${stream}`;
      if (allowedFor(app, subject)) {
        const answer = await nc.request(subject, "", { timeout: 5_000 });
        expect(answer.json<{ type: string }>().type, `${app} ${subject}`).toMatch(
          /stream_info_response/,
        );
      } else {
        nc.publish(subject);
        refused.push(subject);
      }
    }
    // Writes it has no grant for: other apps' event subjects and buckets.
    for (const probe of [
      "gavel.lot.probe",
      "gavel.invoice.probe",
      "gavel.notify.probe",
      ...streams.filter((s) => s.startsWith("KV_")).map((s) => `$KV.${s.slice(3)}.probe`),
    ]) {
      if (allowedFor(app, probe)) continue;
      nc.publish(probe);
      refused.push(probe);
    }
    // Subscriptions: only its own inboxes.
    nc.subscribe("gavel.>");
    refused.push("gavel.>");
    // The server answers a PING only after the commands before it: every -ERR is in.
    await nc.flush();
    await new Promise((resolve) => setTimeout(resolve, 200));
    for (const subject of refused)
      expect(
        violations.some((v) => v.includes(`"${subject}"`)),
        `${app} refused ${subject}`,
      ).toBe(true);
    expect(violations).toHaveLength(refused.length);
    expect(refused.length).toBeGreaterThan(0);
  });
});
