import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { IConfigMap } from "kubernetes-models/v1";
import { describe, expect, test } from "vitest";
import { parse } from "yaml";
import * as names from "../../libs/nats/src/names.ts";
import {
  natsPermissions,
  natsUserNames,
  type AppGrants as AppValues,
  type NatsPermissions as Permissions,
} from "../../libs/testing/src/nats-users.ts";
import { chartDir, named, nameOf, render, type K8sObject } from "./chart.ts";

const values = parse(readFileSync(`${chartDir}/values.yaml`, "utf8")) as {
  apps: Record<string, AppValues>;
};
/** The edge's stream and subjects are named for its window; the default window here. */
const expand = (s: string) => s.replace(/\{\{[^}]*\}\}/g, "60");

function natsConfig(objects: K8sObject[]): string {
  return named<IConfigMap & K8sObject>(objects, "ConfigMap", nameOf("nats")).data!["nats.conf"]!;
}

/** The users of the rendered config: one line each, `{ user: "x", password: $X, permissions: {JSON} }`. */
function usersOf(config: string): Map<string, Permissions> {
  const users = new Map<string, Permissions>();
  for (const m of config.matchAll(
    /\{ user: "(\w+)", password: \$(\w+), permissions: (\{.*\}) \}$/gm,
  )) {
    expect(m[2]).toBe(`NATS_PASSWORD_${m[1]!.toUpperCase()}`);
    users.set(m[1]!, JSON.parse(m[3]!) as Permissions);
  }
  return users;
}

/** The stream a JetStream API, flow-control or ack subject is about; undefined for others. */
function streamOf(subject: string): string | undefined {
  return (
    /^\$JS\.API\.(?:STREAM\.(?:INFO|CREATE|UPDATE)|DIRECT\.GET|CONSUMER\.(?:CREATE|INFO|DELETE|MSG\.NEXT|DURABLE\.CREATE))\.([^.]+)/.exec(
      subject,
    )?.[1] ?? /^\$JS\.(?:FC|ACK)\.([^.]+)\./.exec(subject)?.[1]
  );
}

describe("NATS: one user per app, allowed only its own subjects", () => {
  test("every enabled app has a user, and only they do", async () => {
    const objects = await render();
    const deployments = objects
      .filter((o) => o.kind === "Deployment" && !o.metadata.name.endsWith("jaeger"))
      .map((o) => o.metadata.name);
    const users = [...usersOf(natsConfig(objects)).keys()];
    expect(users.map(nameOf).sort()).toEqual(deployments.sort());
    expect(natsConfig(objects)).not.toMatch(/no_auth_user|authorization/);
  });

  test("no user may publish everywhere, and each touches only its own streams and buckets", async () => {
    const users = usersOf(natsConfig(await render()));
    for (const [user, permissions] of users) {
      const app = values.apps[user]!.nats;
      const streams = new Set([
        ...app.streams.map((s) => expand(s.name)),
        ...app.buckets.map((b) => `KV_${b.name}`),
      ]);
      const own = new Set([
        "$JS.API.INFO",
        ...app.buckets.filter((b) => b.write).map((b) => `$KV.${b.name}.>`),
        ...app.publish.map(expand),
      ]);
      expect(permissions.subscribe.allow, user).toEqual(["_INBOX.>"]);
      for (const subject of permissions.publish.allow) {
        const tokens = subject.split(".");
        const firstWildcard = tokens.findIndex((t) => t === "*" || t === ">");
        expect(firstWildcard === -1 || firstWildcard >= 2, `${user}: ${subject}`).toBe(true);
        expect(subject, user).not.toMatch(
          /STREAM\.(DELETE|PURGE|MSG\.DELETE)|^\$SYS|^\$JS\.API\.(ACCOUNT|META|SERVER)/,
        );
        const stream = streamOf(subject);
        if (stream === undefined) expect(own.has(subject), `${user}: ${subject}`).toBe(true);
        else expect(streams.has(stream), `${user}: ${subject}`).toBe(true);
      }
    }
  });

  test("a durable consumer can be created, pulled from and deleted by its owner only", async () => {
    const users = usersOf(natsConfig(await render()));
    for (const [owner, app] of Object.entries(values.apps)) {
      for (const stream of app.nats.streams) {
        for (const durable of stream.durables) {
          const s = expand(stream.name);
          expect(users.get(owner)!.publish.allow).toContain(`$JS.ACK.${s}.${durable}.>`);
          for (const [user, permissions] of users) {
            if (user === owner || !permissions.publish.allow.includes(`$JS.API.STREAM.INFO.${s}`))
              continue;
            for (const api of ["DURABLE.CREATE", "DELETE", "MSG.NEXT", "CREATE"]) {
              expect(permissions.publish.deny, `${user} on ${durable}`).toContain(
                `$JS.API.CONSUMER.${api}.${s}.${durable}`,
              );
            }
          }
        }
      }
    }
  });

  test("the chart grants every stream, bucket and durable consumer libs/nats names, and no others", () => {
    const constants = Object.entries(names).filter(([, v]) => typeof v === "string") as Array<
      [string, string]
    >;
    const inCode = (suffix: string) =>
      new Set(constants.filter(([k]) => k.endsWith(suffix)).map(([, v]) => v));
    const granted = Object.values(values.apps).map((a) => a.nats);
    const streams = new Set(granted.flatMap((n) => n.streams.map((s) => s.name)));
    const rateLimitStream = [...streams].find((s) => s.startsWith("EDGE_RATE_LIMITS_"));
    expect(expand(rateLimitStream!)).toBe(names.edgeRateLimits(60).stream);
    streams.delete(rateLimitStream!);
    expect(streams).toEqual(inCode("_STREAM"));
    expect(new Set(granted.flatMap((n) => n.buckets.map((b) => b.name)))).toEqual(
      inCode("_BUCKET"),
    );
    expect(new Set(granted.flatMap((n) => n.streams.flatMap((s) => s.durables)))).toEqual(
      inCode("_CONSUMER"),
    );
    const subjects = new Set(granted.flatMap((n) => n.publish.map(expand)));
    expect(subjects).toEqual(
      new Set([
        names.LOT_SUBJECT_WILDCARD,
        names.NOTIFY_SUBJECT_WILDCARD,
        names.CLOSING_SOON_AT_WILDCARD,
        names.CLOSING_SOON_DUE_WILDCARD,
        names.INVOICE_SUBJECT_WILDCARD,
        `${names.edgeRateLimits(60).subjectPrefix}.>`,
      ]),
    );
  });

  test("the local stack and the tests give every user the chart's permissions (libs/testing nats-users.ts)", async () => {
    const users = usersOf(natsConfig(await render()));
    expect(natsUserNames()).toEqual([...users.keys()]);
    for (const [user, permissions] of users)
      expect(natsPermissions(user), user).toEqual(permissions);
  });

  test("nats-server accepts the rendered configuration", async () => {
    const objects = await render(["--set", "nats.replicas=5", "--set", "storageReplicas=3"]);
    const dir = mkdtempSync(join(tmpdir(), "gavel-nats-conf-"));
    try {
      writeFileSync(join(dir, "nats.conf"), natsConfig(objects));
      const script = fileURLToPath(new URL("../../scripts/tools/nats-server.sh", import.meta.url));
      const server =
        process.env.NATS_SERVER_BIN ||
        execFileSync(script, { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }).trim();
      const passwords = Object.fromEntries(
        [...usersOf(natsConfig(objects)).keys()].map((u) => [
          `NATS_PASSWORD_${u.toUpperCase()}`,
          `p${u}`,
        ]),
      );
      const check = spawnSync(server, ["-t", "-c", join(dir, "nats.conf")], {
        encoding: "utf8",
        env: { ...process.env, POD_NAME: `${nameOf("nats")}-0`, ...passwords },
      });
      expect(check.stdout + check.stderr).toContain("is valid");
      expect(check.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
