// The chart's NATS users, run for real: a 3-server cluster with the rendered config (users,
// permissions, JetStream; only addresses moved to loopback) and every app started as its
// chart user with the environment its Deployment renders (the Go settlement service as
// its binary, built from source by startService). If a permission were missing, an app
// would fail to start or a flow below would stop, and NATS would log the violation.
import { spawn } from "node:child_process";
import { createHash, generateKeyPairSync, randomBytes, randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import type { IDeployment } from "kubernetes-models/apps/v1";
import type { IConfigMap } from "kubernetes-models/v1";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { SettlementService, type Invoice } from "@gavel/proto/settlement/v1/settlement";
import {
  connectClient,
  startService,
  type AppName,
  type ServiceProcess,
} from "../../libs/testing/src/index.ts";
import { named, nameOf, render, type K8sObject } from "./chart.ts";
import { startLocalNatsCluster, type LocalNatsCluster } from "./local-nats-cluster.ts";
import { openSse } from "./sse-client.ts";

/**
 * Callees before callers, so each caller gets the started callee's URL. The notifier
 * before settlement: it then creates INVOICES, and settlement updates that stream, the
 * harder of the two orders a rollout can take.
 */
const apps: AppName[] = [
  "identity",
  "catalog",
  "bidding",
  "notifier",
  "settlement",
  "edge",
  "bff",
  "push",
];

/** Secret keys as the chart names them, made here as the hook and Helm would. */
function secretValues(): Record<string, string> {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  return {
    "jwt-private-key.pem": privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    "jwt-public-key.pem": publicKey.export({ type: "spki", format: "pem" }).toString(),
    "push-ticket-secret": randomBytes(32).toString("hex"),
    ...Object.fromEntries(
      apps.map((a) => [`nats-password-${a}`, `p${randomBytes(16).toString("hex")}`]),
    ),
  };
}

/** A Deployment's environment, resolved the way the kubelet would, pointed at local peers. */
function localEnv(
  deployment: IDeployment,
  app: AppName,
  secrets: Record<string, string>,
  natsUrls: string[],
  started: Map<AppName, ServiceProcess>,
): Record<string, string> {
  const fields: Record<string, string> = {
    "metadata.name": `${app}-0`,
    "metadata.namespace": "local",
  };
  const env: Record<string, string> = {};
  for (const e of deployment.spec!.template.spec!.containers[0]!.env ?? []) {
    const fieldPath = e.valueFrom?.fieldRef?.fieldPath;
    const key = e.valueFrom?.secretKeyRef?.key;
    env[e.name] = fieldPath ? fields[fieldPath]! : key ? secrets[key]! : (e.value ?? "");
  }
  for (const [name, value] of Object.entries(env)) {
    env[name] = value.replace(/\$\((POD_NAME|POD_NAMESPACE)\)/g, (_, ref: string) => env[ref]!);
    const callee = /^GAVEL_([A-Z]+)_URL$/.exec(name)?.[1]?.toLowerCase() as AppName | undefined;
    if (callee) env[name] = started.get(callee)!.rpcUrl;
  }
  env.NATS_URL = natsUrls.join(",");
  // Free local ports instead of the pod's, and no collector to export to.
  delete env.PORT;
  delete env.ADMIN_PORT;
  delete env.OTEL_EXPORTER_OTLP_ENDPOINT;
  // The page lives in the edge's image (/app/web); run from source, the edge serves none.
  delete env.GAVEL_WEB_DIR;
  return env;
}

let nats: LocalNatsCluster;
const started = new Map<AppName, ServiceProcess>();
const url = (app: AppName) => started.get(app)!.rpcUrl;

beforeAll(async () => {
  // The chart's values, with lots short enough to close during the test.
  const objects: K8sObject[] = await render([
    "--set-string",
    "apps.catalog.env.GAVEL_MIN_LOT_SECONDS=1",
    "--set-string",
    "apps.notifier.env.GAVEL_CLOSING_SOON_SECONDS=4",
  ]);
  const secrets = secretValues();
  const config = named<IConfigMap & K8sObject>(objects, "ConfigMap", nameOf("nats")).data![
    "nats.conf"
  ]!;
  const passwords = Object.fromEntries(
    apps.map((a) => [`NATS_PASSWORD_${a.toUpperCase()}`, secrets[`nats-password-${a}`]!]),
  );
  nats = await startLocalNatsCluster(config, passwords);
  for (const app of apps) {
    const deployment = named<IDeployment & K8sObject>(objects, "Deployment", nameOf(app));
    started.set(
      app,
      await startService(app, localEnv(deployment, app, secrets, nats.urls, started)),
    );
  }
}, 300_000);

afterAll(async () => {
  for (const app of [...apps].reverse()) await started.get(app)?.stop();
  await nats?.stop();
}, 60_000);

async function call<T>(
  method: string,
  target: string,
  body?: unknown,
  token?: string,
  headers = {},
): Promise<T> {
  const res = await fetch(target, {
    method,
    headers: {
      "content-type": "application/json",
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${target}: ${res.status} ${text}`);
  return JSON.parse(text) as T;
}

interface Session {
  access_token: string;
  user: { id: string };
}

const signUp = (name: string) =>
  call<Session>("POST", `${url("edge")}/v1/auth/sign-up`, {
    email: `${name}-${randomUUID().slice(0, 8)}@run.gavel.test`,
    password: `run-${randomUUID()}`,
    display_name: name,
  });

describe("the apps run as the chart's NATS users", () => {
  test("the helm test script passes against them", async () => {
    const script = fileURLToPath(new URL("../gavel/files/smoke-test.mjs", import.meta.url));
    const child = spawn(process.execPath, [script], {
      env: {
        PATH: process.env.PATH ?? "",
        EDGE_URL: url("edge"),
        BFF_URL: url("bff"),
        PUSH_URL: url("push"),
        TIMEOUT_SECONDS: "30",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    for (const stream of [child.stdout, child.stderr])
      stream.on("data", (c: Buffer) => (output += c));
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    expect(output).toContain("smoke: passed");
    expect(code).toBe(0);
  }, 60_000);

  test("watch, bid, outbid, closing soon (a message schedule), close, won, invoice: every grant in use", async () => {
    const [seller, alice, bob] = await Promise.all([
      signUp("seller"),
      signUp("alice"),
      signUp("bob"),
    ]);
    const lot = await call<{ id: string }>(
      "POST",
      `${url("edge")}/v1/lots`,
      {
        title: "A lot that closes soon",
        starting_price: { currency: "EUR", amount_minor: 1000 },
        ends_at: new Date(Date.now() + 12_000).toISOString(),
        snipe_window_seconds: 1,
      },
      seller!.access_token,
    );
    const gql = (query: string, token?: string, extensions?: unknown) =>
      call<{ data?: Record<string, { __typename?: string } | null>; errors?: unknown }>(
        "POST",
        `${url("bff")}/graphql`,
        { query, ...(extensions ? { extensions } : {}) },
        token,
      );
    const watched = await gql(
      `mutation { watchLot(lotId: "${lot.id}") { __typename } }`,
      alice!.access_token,
    );
    expect(watched.data?.watchLot?.__typename).toBe("LotWatched");

    const ticket = async (s: Session) =>
      (await call<{ ticket: string }>("POST", `${url("push")}/tickets`, undefined, s.access_token))
        .ticket;
    const aliceFeed = await openSse(
      `${url("push")}/sse/notifications?ticket=${await ticket(alice!)}`,
    );
    const bobFeed = await openSse(`${url("push")}/sse/notifications?ticket=${await ticket(bob!)}`);
    const lotFeed = await openSse(`${url("push")}/sse/lots/${lot.id}?after=0`);
    try {
      const bid = (amount: number, s: Session) =>
        call(
          "POST",
          `${url("edge")}/v1/lots/${lot.id}/bids`,
          { amount: { currency: "EUR", amount_minor: amount } },
          s.access_token,
          {
            "idempotency-key": randomUUID(),
          },
        );
      await bid(1000, alice!);
      await bid(1100, bob!);

      // A persisted query registered at the BFF (its KV bucket).
      const query = `{ lot(id: "${lot.id}") { bidCount } }`;
      const hash = createHash("sha256").update(query).digest("hex");
      const persisted = await gql(query, undefined, {
        persistedQuery: { version: 1, sha256Hash: hash },
      });
      expect(persisted.errors).toBeUndefined();

      // Presence, counted in the push gateway's KV bucket.
      await expect
        .poll(
          async () =>
            (await call<{ viewers: number }>("GET", `${url("push")}/presence/lots/${lot.id}`))
              .viewers,
          {
            timeout: 15_000,
          },
        )
        .toBeGreaterThan(0);

      await aliceFeed.next("outbid", 15_000);
      await aliceFeed.next("closing_soon", 20_000);
      await bobFeed.next("closing_soon", 20_000);
      await lotFeed.next("closed", 30_000);
      await bobFeed.next("won", 30_000);

      // Settlement issues the invoice (its durable consumer of the lot events, the INVOICES
      // stream, the append, its index read back) and the notifier tells the buyer (its
      // durable consumer of INVOICES).
      const settlement = connectClient(SettlementService, url("settlement"));
      const asBob = { headers: { authorization: `Bearer ${bob!.access_token}` } };
      let invoice: Invoice | undefined;
      await expect
        .poll(
          async () => {
            invoice = await settlement.getInvoice({ lotId: lot.id }, asBob).then(
              (r) => r.invoice,
              () => undefined,
            );
            return invoice?.buyerId;
          },
          { timeout: 20_000 },
        )
        .toBe(bob!.user.id);
      expect(invoice!.hammerPrice?.amountMinor).toBe(1100n);
      await bobFeed.next("invoice_ready", 20_000);
    } finally {
      aliceFeed.close();
      bobFeed.close();
      lotFeed.close();
    }
  }, 120_000);

  test("NATS refused nothing: no violation logged by a server, no NATS error by an app", () => {
    // The server logs `Publish Violation - Subject "..."` (or Subscription); a client
    // hears it as an asynchronous error, which the apps log as a NATS status "error".
    expect(nats.log.filter((line) => /Violation/.test(line))).toEqual([]);
    // (The Go settlement service logs it the same way.)
    for (const app of apps) {
      const errors = started.get(app)!.logs.filter((entry) => entry.nats_status === "error");
      expect(errors, app).toEqual([]);
    }
  });
});
