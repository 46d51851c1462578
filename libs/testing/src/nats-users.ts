import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { repoRoot, type AppName } from "./service-process.ts";

/**
 * The chart's NATS users for a local nats-server: the grants come from the one place they
 * are written, `apps.<name>.nats` in helm/gavel/values.yaml, and become subjects by the
 * rules of helm/gavel/templates/_nats.tpl, rewritten here (helm/tests/nats-users.test.ts
 * checks that both give every user the same permissions).
 */

export interface NatsPermissions {
  publish: { allow: string[]; deny?: string[] };
  subscribe: { allow: string[] };
}

/** An app's entry in the chart's values, the part about NATS. */
export interface AppGrants {
  enabled: boolean;
  nats: {
    streams: Array<{ name: string; manage: boolean; durables: string[] }>;
    buckets: Array<{ name: string; write: boolean }>;
    publish: string[];
  };
}

interface ChartValues {
  apps: Record<string, AppGrants>;
}

function chartValues(): ChartValues {
  return parse(readFileSync(join(repoRoot, "helm/gavel/values.yaml"), "utf8")) as ChartValues;
}

/** The only template the values use: `{{ .Values.a.b }}`, looked up in the values. */
function tpl(text: string, values: ChartValues): string {
  return text.replace(/\{\{\s*\.Values\.([\w.]+)\s*\}\}/g, (_, path: string) => {
    const found = path
      .split(".")
      .reduce<unknown>((v, k) => (v as Record<string, unknown>)?.[k], values);
    if (found === undefined) throw new Error(`values.yaml has no ${path}`);
    return String(found);
  });
}

/** The apps the chart installs by default, sorted as it lists them. */
export function natsUserNames(): AppName[] {
  const { apps } = chartValues();
  return Object.keys(apps)
    .filter((a) => apps[a]!.enabled)
    .sort() as AppName[];
}

/** One app's permissions, as the chart renders them. */
export function natsPermissions(app: string): NatsPermissions {
  const values = chartValues();
  const streamsOf = (name: string) =>
    values.apps[name]!.nats.streams.map((s) => ({ ...s, name: tpl(s.name, values) }));
  const grants = values.apps[app]!.nats;
  const reads = [
    ...new Set([
      ...streamsOf(app).map((s) => s.name),
      ...grants.buckets.map((b) => `KV_${b.name}`),
    ]),
  ];
  const allow = ["$JS.API.INFO"];
  for (const s of reads) {
    allow.push(
      `$JS.API.STREAM.INFO.${s}`,
      `$JS.API.DIRECT.GET.${s}`,
      `$JS.API.DIRECT.GET.${s}.>`,
      `$JS.API.CONSUMER.CREATE.${s}`,
      `$JS.API.CONSUMER.CREATE.${s}.>`,
      `$JS.API.CONSUMER.INFO.${s}.*`,
      `$JS.API.CONSUMER.DELETE.${s}.*`,
      `$JS.API.CONSUMER.MSG.NEXT.${s}.*`,
      `$JS.FC.${s}.>`,
    );
  }
  for (const stream of streamsOf(app)) {
    if (stream.manage)
      allow.push(`$JS.API.STREAM.CREATE.${stream.name}`, `$JS.API.STREAM.UPDATE.${stream.name}`);
    for (const d of stream.durables)
      allow.push(
        `$JS.API.CONSUMER.DURABLE.CREATE.${stream.name}.${d}`,
        `$JS.ACK.${stream.name}.${d}.>`,
      );
  }
  for (const bucket of grants.buckets.filter((b) => b.write))
    allow.push(`$JS.API.STREAM.CREATE.KV_${bucket.name}`, `$KV.${bucket.name}.>`);
  allow.push(...grants.publish.map((p) => tpl(p, values)));
  const deny: string[] = [];
  for (const other of natsUserNames().filter((o) => o !== app)) {
    for (const stream of streamsOf(other).filter((s) => reads.includes(s.name))) {
      for (const d of stream.durables) {
        const s = stream.name;
        deny.push(
          `$JS.API.CONSUMER.CREATE.${s}.${d}`,
          `$JS.API.CONSUMER.CREATE.${s}.${d}.>`,
          `$JS.API.CONSUMER.DURABLE.CREATE.${s}.${d}`,
          `$JS.API.CONSUMER.DELETE.${s}.${d}`,
          `$JS.API.CONSUMER.MSG.NEXT.${s}.${d}`,
        );
      }
    }
  }
  return {
    publish: { allow: [...new Set(allow)], ...(deny.length ? { deny: [...new Set(deny)] } : {}) },
    subscribe: { allow: ["_INBOX.>"] },
  };
}

/** A fresh password per app: letters and digits, starting with a letter (as the chart's). */
export function natsPasswords(): Record<AppName, string> {
  return Object.fromEntries(
    natsUserNames().map((a) => [a, `p${randomBytes(16).toString("hex")}`]),
  ) as Record<AppName, string>;
}

/**
 * The `accounts` block of a nats-server config: account GAVEL with JetStream and one user
 * per app, as in the chart. The passwords are read from environment variables
 * NATS_PASSWORD_<APP> (natsPasswordEnv), so they never sit in a file.
 */
export function natsAccountsConfig(): string {
  const users = natsUserNames().map(
    (app) =>
      `      { user: "${app}", password: $${natsPasswordEnv(app)}, permissions: ${JSON.stringify(natsPermissions(app))} }`,
  );
  return [
    "accounts {",
    "  GAVEL {",
    "    jetstream: enabled",
    "    users: [",
    ...users,
    "    ]",
    "  }",
    "}",
    "",
  ].join("\n");
}

export const natsPasswordEnv = (app: string) => `NATS_PASSWORD_${app.toUpperCase()}`;

/** The server's environment for natsAccountsConfig: each user's password variable. */
export function natsPasswordsEnv(passwords: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(passwords).map(([a, p]) => [natsPasswordEnv(a), p]));
}

/** What an app needs to connect as its user. */
export function natsUserEnv(
  app: AppName,
  passwords: Record<string, string>,
): Record<string, string> {
  return { NATS_USER: app, NATS_PASSWORD: passwords[app]! };
}
