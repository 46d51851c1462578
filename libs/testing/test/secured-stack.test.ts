// Every app as its own NATS user (the chart's users and grants, from libs/testing
// nats-users.ts) at LOG_LEVEL=debug, through sign-up, sign-in, a lot, bids, the push
// gateway's ticket, stream and socket, and settlement's invoice. Then: what another app's
// credentials may not do, NATS refuses; and no log line of any process holds a secret.
import { randomUUID } from "node:crypto";
import { jetstream } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import { connect } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { IDENTITY_USERS_BUCKET, lotSubject } from "@gavel/nats";
import { SettlementService } from "@gavel/proto/settlement/v1/settlement";
import {
  authHeader,
  connectClient,
  hostileTokens,
  serviceEnv,
  startNatsServerWithUsers,
  startWholeStack,
  testKeys,
  type WholeStack,
} from "../src/index.ts";

let nats: Awaited<ReturnType<typeof startNatsServerWithUsers>>;
let stack: WholeStack;
const url = (app: keyof WholeStack["apps"]) => stack.apps[app].rpcUrl;
/** Every credential the run hands out or is configured with: none may reach a log. */
const secrets = new Set<string>();

async function call<T>(path: string, body?: unknown, token?: string): Promise<T> {
  const res = await fetch(`${url("edge")}${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: {
      "content-type": "application/json",
      "idempotency-key": randomUUID(),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${path}: ${res.status} ${text}`);
  return JSON.parse(text) as T;
}

interface Session {
  access_token: string;
  user: { id: string };
}

async function signUpAndIn(name: string): Promise<Session> {
  const email = `${name}-${randomUUID().slice(0, 8)}@secured.gavel.test`;
  const password = `pw-${randomUUID()}`;
  secrets.add(password);
  const up = await call<Session>("/v1/auth/sign-up", { email, password, display_name: name });
  const session = await call<Session>("/v1/auth/sign-in", { email, password });
  secrets.add(up.access_token).add(session.access_token);
  return session;
}

beforeAll(async () => {
  nats = await startNatsServerWithUsers();
  stack = await startWholeStack(nats.url, {
    natsPasswords: nats.passwords,
    env: { LOG_LEVEL: "debug" },
  });
  for (const password of Object.values(nats.passwords)) secrets.add(password);
  secrets.add(serviceEnv(nats.url).GAVEL_PUSH_TICKET_SECRET!);
  // The private key, as configured and as the base64 body of the PEM.
  secrets.add(testKeys.privateKeyPem);
  secrets.add(testKeys.privateKeyPem.split("\n")[1]!);
}, 300_000);

afterAll(async () => {
  await stack?.stop();
  await nats?.stop();
}, 60_000);

describe("every app as its own NATS user", () => {
  test("sign-up, sign-in, a lot, bids, the push gateway and an invoice all work", async () => {
    const [seller, alice, bob] = await Promise.all(
      ["seller", "alice", "bob"].map((n) => signUpAndIn(n)),
    );
    const lot = await call<{ id: string }>(
      "/v1/lots",
      {
        title: "A lot that closes at once",
        starting_price: { currency: "EUR", amount_minor: 1000 },
        ends_at: new Date(Date.now() + 4_000).toISOString(),
        snipe_window_seconds: 1,
      },
      seller!.access_token,
    );
    const { ticket } = await fetch(`${url("push")}/tickets`, {
      method: "POST",
      headers: { authorization: `Bearer ${bob!.access_token}` },
    }).then((r) => r.json() as Promise<{ ticket: string }>);
    secrets.add(ticket);
    const stream = await fetch(`${url("push")}/sse/notifications?ticket=${ticket}`);
    expect(stream.status).toBe(200);
    const socket = new WebSocket(`${url("push").replace(/^http/, "ws")}/ws`, [
      "gavel.v1",
      `bearer.${alice!.access_token}`,
    ]);
    await new Promise((resolve, reject) => {
      socket.addEventListener("open", resolve, { once: true });
      socket.addEventListener("error", reject, { once: true });
    });
    socket.close();
    await call(
      `/v1/lots/${lot.id}/bids`,
      { amount: { currency: "EUR", amount_minor: 1000 } },
      alice!.access_token,
    );
    await call(
      `/v1/lots/${lot.id}/bids`,
      { amount: { currency: "EUR", amount_minor: 1100 } },
      bob!.access_token,
    );
    const gql = await fetch(`${url("bff")}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${bob!.access_token}` },
      body: JSON.stringify({
        query: `{ viewer { user { id } } lot(id: "${lot.id}") { bidCount } }`,
      }),
    }).then((r) => r.json() as Promise<{ data: { lot: { bidCount: number } } }>);
    expect(gql.data?.lot.bidCount, JSON.stringify(gql)).toBe(2);

    const settlement = connectClient(SettlementService, url("settlement"));
    await expect
      .poll(
        () =>
          settlement.getInvoice({ lotId: lot.id }, authHeader(bob!.access_token)).then(
            (r) => r.invoice?.buyerId,
            () => undefined,
          ),
        { timeout: 20_000, interval: 250 },
      )
      .toBe(bob!.user.id);
    await stream.body?.cancel();
  }, 60_000);

  test("NATS refused nothing the apps did: no violation, no NATS error in any app", () => {
    expect(nats.log.filter((line) => /Violation/.test(line))).toEqual([]);
    for (const p of stack.processes)
      expect(
        p.logs.filter((e) => e.nats_status === "error"),
        p.app,
      ).toEqual([]);
  });

  test("the push gateway's credentials cannot append to a lot's subject", async () => {
    const nc = await connect({ servers: nats.url, user: "push", pass: nats.passwords.push });
    try {
      const subject = lotSubject(`forged-${randomUUID().slice(0, 8)}`);
      await expect(
        jetstream(nc).publish(subject, "a forged bid", { timeout: 2_000 }),
      ).rejects.toThrow();
      await expect
        .poll(() => violationsBy("push"))
        .toContainEqual(expect.stringContaining(`Publish Violation - Subject "${subject}"`));
    } finally {
      await nc.close();
    }
  });

  test("the edge's credentials cannot read the identity bucket", async () => {
    const nc = await connect({ servers: nats.url, user: "edge", pass: nats.passwords.edge });
    const stream = `KV_${IDENTITY_USERS_BUCKET}`;
    try {
      const kv = await new Kvm(nc).open(IDENTITY_USERS_BUCKET);
      await expect(kv.get("anyone")).rejects.toThrow(); // a direct get
      await expect(kv.keys()).rejects.toThrow(); // an ordered consumer
      // The KV client reads with a stream message get, lists keys with an ordered consumer.
      await expect
        .poll(() => violationsBy("edge").map((line) => /Subject "([^"]+)"/.exec(line)?.[1]))
        .toEqual([
          `$JS.API.STREAM.MSG.GET.${stream}`,
          expect.stringMatching(new RegExp(`^\\$JS\\.API\\.CONSUMER\\.CREATE\\.${stream}\\.`)),
        ]);
    } finally {
      await nc.close();
    }
  });
});

/** The permission violations the server logged for a user. */
const violationsBy = (user: string) =>
  nats.log.filter((line) => line.includes(`user:${user}"`) && line.includes("Violation"));

describe("no secret in any log line", () => {
  test("refused credentials are not logged either", async () => {
    const [dave] = await Promise.all([signUpAndIn("dave")]);
    const wrong = `wrong-${randomUUID()}`;
    secrets.add(wrong);
    const signIn = await fetch(`${url("edge")}/v1/auth/sign-in`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "nobody@secured.gavel.test", password: wrong }),
    });
    expect(signIn.status).toBe(401);
    for (const token of Object.values(hostileTokens(dave!.user.id))) {
      secrets.add(token);
      const headers = { authorization: `Bearer ${token}` };
      expect((await fetch(`${url("edge")}/v1/me`, { headers })).status).toBe(401);
      const gql = await fetch(`${url("bff")}/graphql`, {
        method: "POST",
        headers: { ...headers, "content-type": "application/json" },
        body: JSON.stringify({ query: "{ viewer { user { id } } }" }),
      });
      expect(gql.status).toBe(401);
      expect((await fetch(`${url("push")}/tickets`, { method: "POST", headers })).status).toBe(401);
    }
    const forged = `forged${randomUUID().replace(/-/g, "")}`;
    secrets.add(forged);
    const stream = await fetch(`${url("push")}/sse/notifications?ticket=${forged}`);
    expect(stream.status).toBe(401);
  });

  test("no password, token, ticket, private key or NATS password in any process's log", () => {
    // At LOG_LEVEL=debug; the services log little per request, errors and warnings mostly.
    const lines = [
      ...stack.processes.flatMap((p) =>
        p.logs.map((entry) => `${p.app}: ${JSON.stringify(entry)}`),
      ),
      ...nats.log.map((line) => `nats-server: ${line}`),
    ];
    for (const p of stack.processes) expect(p.logs.length, p.app).toBeGreaterThan(0);
    const leaks = lines.filter((line) => [...secrets].some((secret) => line.includes(secret)));
    expect(leaks).toEqual([]);
  });
});
