import { randomUUID } from "node:crypto";
import { setTimeout as delay } from "node:timers/promises";
import { authHeader, mintToken, startService, type ServiceProcess } from "@gavel/testing";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { edgeDocument } from "./contract/edge-documents.ts";
import { startEdgeStack, type EdgeStack } from "./edge-stack.ts";

const WINDOW_SECONDS = 10;
const limits = {
  GAVEL_RATE_LIMIT_PER_USER: "5",
  GAVEL_RATE_LIMIT_PER_IP: "8",
  GAVEL_RATE_LIMIT_WINDOW_SECONDS: String(WINDOW_SECONDS),
};

let stack: EdgeStack;
let second: ServiceProcess;
let replicas: string[];

beforeAll(async () => {
  stack = await startEdgeStack(inject("natsUrl"), limits);
  second = await startService("edge", { ...stack.upstreamEnv, ...limits });
  await edgeDocument(second.rpcUrl); // read now: the tests count every request
  replicas = [stack.base, second.rpcUrl];
});

afterAll(async () => {
  expect(await Promise.all([second.stop(), stack.stop()])).toEqual([0, [0, 0, 0, 0]]);
});

/** Waits for the next window to begin, so a test's requests all fall in one window. */
async function nextWindow(): Promise<void> {
  const windowMs = WINDOW_SECONDS * 1000;
  await delay(windowMs - (Date.now() % windowMs) + 20);
}

/** Sends the requests one after another, alternating between the two replicas. */
async function alternate(count: number, path: string, headers: Record<string, string> = {}) {
  const responses: Response[] = [];
  for (let i = 0; i < count; i++)
    responses.push(await fetch(`${replicas[i % 2]}${path}`, { headers }));
  return responses;
}

function retryAfter(res: Response): number {
  return Number(res.headers.get("retry-after"));
}

describe("rate limits across edge replicas", () => {
  it("counts a user's requests on both replicas against one quota and answers 429 past it", async () => {
    const user = authHeader(await mintToken(randomUUID())).headers;
    await nextWindow();
    const responses = await alternate(6, "/v1", user);

    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 429]);
    responses.slice(0, 5).forEach((res, i) => {
      expect(res.headers.get("ratelimit-policy")).toBe(
        `"per-ip";q=8;w=${WINDOW_SECONDS}, "per-user";q=5;w=${WINDOW_SECONDS}`,
      );
      expect(res.headers.get("ratelimit")).toMatch(
        new RegExp(`^"per-ip";r=${7 - i};t=\\d+, "per-user";r=${4 - i};t=\\d+$`),
      );
    });

    const refused = responses[5]!;
    expect(refused.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    expect(await refused.json()).toMatchObject({
      type: "https://gavel.dev/problems/rate-limited",
      status: 429,
      violated_policies: ["per-user"],
    });
    expect(retryAfter(refused)).toBeGreaterThanOrEqual(1);
    expect(retryAfter(refused)).toBeLessThanOrEqual(WINDOW_SECONDS);
    expect(refused.headers.get("ratelimit-policy")).toContain(`"per-user";q=5;w=${WINDOW_SECONDS}`);
    expect(refused.headers.get("ratelimit")).toContain(`"per-user";r=0;t=${retryAfter(refused)}`);
  });

  it("counts every request from one IP on both replicas, signed in or not, with headers on errors too", async () => {
    await nextWindow();
    const responses = await alternate(9, "/v1/nothing-here");

    expect(responses.map((r) => r.status)).toEqual([...Array(8).fill(404), 429]);
    responses.slice(0, 8).forEach((res, i) => {
      expect(res.headers.get("ratelimit-policy")).toBe(`"per-ip";q=8;w=${WINDOW_SECONDS}`);
      expect(res.headers.get("ratelimit")).toMatch(new RegExp(`^"per-ip";r=${7 - i};t=\\d+$`));
    });
    const refused = responses[8]!;
    expect(await refused.json()).toMatchObject({
      type: "https://gavel.dev/problems/rate-limited",
      violated_policies: ["per-ip"],
    });
    expect(refused.headers.get("ratelimit")).toBe(`"per-ip";r=0;t=${retryAfter(refused)}`);

    // A signed-in user with quota left is still refused: the IP's quota is spent.
    const user = authHeader(await mintToken(randomUUID())).headers;
    const [signedIn] = await alternate(1, "/v1", user);
    expect(signedIn!.status).toBe(429);
  });

  it("counts every IPv6 address of one /56 as one client, and the next /56 apart", async () => {
    // The edge trusts the loopback proxy (the default), so X-Forwarded-For is the client.
    const from = (address: string) => ({ "x-forwarded-for": address });
    await nextWindow();
    const rotated = Array.from({ length: 9 }, (_, i) =>
      fetch(`${replicas[i % 2]}/v1`, { headers: from(`2001:db8:7:ab${i}0::${i + 1}`) }),
    );
    const statuses = [];
    for (const res of rotated) statuses.push((await res).status);
    expect(statuses.sort()).toEqual([...Array(8).fill(200), 429]);

    const neighbour = await fetch(`${stack.base}/v1`, { headers: from("2001:db8:7:ac00::1") });
    expect(neighbour.status).toBe(200);
    expect(neighbour.headers.get("ratelimit")).toMatch(/^"per-ip";r=7;t=\d+$/);
  });
});
