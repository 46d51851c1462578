import { randomUUID } from "node:crypto";
import { startFrontStack, type FrontStackOptions } from "@gavel/testing";
import { afterAll, beforeAll, expect, inject } from "vitest";
import { edgeDocument } from "./contract/edge-documents.ts";

/**
 * identity, catalog, bidding (settlement too when asked) and one edge, all real
 * processes on one real NATS. The edge's OpenAPI document, which its every response is
 * checked against (contract/), is read now, before the tests count any request.
 */
export async function startEdgeStack(
  natsUrl: string,
  edgeEnv: Record<string, string> = {},
  options: FrontStackOptions = {},
) {
  const stack = await startFrontStack(natsUrl, "edge", edgeEnv, options);
  await edgeDocument(stack.front.rpcUrl);
  return { ...stack, edge: stack.front, base: stack.front.rpcUrl };
}

export type EdgeStack = Awaited<ReturnType<typeof startEdgeStack>>;

/**
 * The stack one test file shares: started before its tests, stopped after them, when
 * every process must exit 0 (one that crashed during the tests fails the file). Read its
 * fields inside tests, once it has started.
 */
export function useEdgeStack(
  edgeEnv: Record<string, string> = {},
  options: FrontStackOptions = {},
): EdgeStack {
  let started: EdgeStack | undefined;
  beforeAll(async () => {
    started = await startEdgeStack(inject("natsUrl"), edgeEnv, options);
  });
  afterAll(async () => {
    if (started) expect((await started.stop()).filter((code) => code !== 0)).toEqual([]);
  });
  return new Proxy({} as EdgeStack, {
    get(_, key) {
      if (!started) throw new Error("the edge stack is read before it started: read it in a test");
      const value: unknown = Reflect.get(started, key);
      return typeof value === "function" ? value.bind(started) : value;
    },
  });
}

/** Signs up a new user through the edge and signs in; returns its id and auth header. */
export async function signedInUser(base: string, name = "Tester") {
  const email = `u-${randomUUID()}@example.com`;
  const password = "correct horse battery";
  const signUp = await fetch(`${base}/v1/auth/sign-up`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password, display_name: name }),
  });
  if (signUp.status !== 201)
    throw new Error(`sign-up failed: ${signUp.status} ${await signUp.text()}`);
  const signIn = await fetch(`${base}/v1/auth/sign-in`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password }),
  });
  const session = (await signIn.json()) as { access_token: string; user: { id: string } };
  return { id: session.user.id, email, auth: { authorization: `Bearer ${session.access_token}` } };
}

export function lotBody(overrides: Record<string, unknown> = {}) {
  return {
    title: "A brass lamp",
    description: "Works.",
    starting_price: { currency: "EUR", amount_minor: 1000 },
    ends_at: new Date(Date.now() + 3600_000).toISOString(),
    ...overrides,
  };
}

export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
}
