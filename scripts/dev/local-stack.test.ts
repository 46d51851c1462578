import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defaultPorts } from "@gavel/config";
import { freePort, repoRoot } from "@gavel/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  startLocalStack,
  type DevPorts,
  type LocalStack,
  type LocalStackOptions,
} from "./local-stack.ts";
import { walkToLiveEvents } from "./walk-links.ts";

/** The same table as defaultPorts, every port a free one: npm start's stack beside any other. */
async function freeDevPorts(): Promise<DevPorts> {
  const entries = await Promise.all(
    Object.entries(defaultPorts).map(async ([app, ports]) => {
      const own: Record<string, number> = {};
      for (const name of Object.keys(ports)) own[name] = await freePort();
      return [app, own] as const;
    }),
  );
  return Object.fromEntries(entries) as DevPorts;
}

async function options(): Promise<LocalStackOptions> {
  const stateDir = mkdtempSync(join(tmpdir(), "gavel-start-"));
  return {
    root: repoRoot,
    stateDir,
    ports: await freeDevPorts(),
    env: {}, // nothing from this shell: no NATS_URL, no OTEL_*
    seed: true,
    load: false,
    jaeger: false,
    echo: "errors",
    say: (line) => {
      throw new Error(`nothing was left running in a fresh state dir, yet: ${line}`);
    },
  };
}

describe("npm start's stack", () => {
  let stack: LocalStack;
  let stateDir: string;

  beforeAll(async () => {
    const start = await options();
    stateDir = start.stateDir;
    stack = await startLocalStack(start);
  }, 180_000);

  afterAll(async () => {
    await stack?.stop();
    expect(readdirSync(join(stateDir, "pids"))).toEqual([]);
    rmSync(stateDir, { recursive: true, force: true });
  }, 60_000);

  it("links a lot's live feeds to the push gateway, where a client following them sees a bid", async () => {
    const walk = await walkToLiveEvents(stack.edge.rpcUrl);
    expect(walk.streamUrl).toBe(`${stack.push.rpcUrl}/sse/lots/${walk.lotId}`);
    expect(walk.websocketUrl).toBe(`${stack.push.rpcUrl.replace(/^http/, "ws")}/ws`);
    expect(walk.websocketEvent).toEqual({
      channel: `lot:${walk.lotId}`,
      seq: walk.sequence,
      event: "bid_accepted",
    });
    // The page is sent to the same gateway.
    const page = (await (await fetch(`${stack.edge.rpcUrl}/config.json`)).json()) as {
      pushUrl: string;
    };
    expect(page.pushUrl).toBe(stack.push.rpcUrl);
  });

  it("seeds the demo lots (a short-lived process of its own) and names them", () => {
    expect(stack.lots).toHaveLength(4);
    expect(new Set(stack.lots).size).toBe(4);
  });

  it("records every process it runs, so a later start can stop what a killed one left", () => {
    const recorded = readdirSync(join(stateDir, "pids")).sort();
    expect(recorded).toEqual(
      [...stack.services.map((s) => `${s.app}.json`), "nats-server.json"].sort(),
    );
  });
});

describe("a port npm start needs that something holds", () => {
  let held: Server;
  afterAll(() => held?.close());

  it("is one line naming it and its holder, and nothing starts", async () => {
    const start = { ...(await options()), say: () => {} };
    held = createServer().listen(start.ports.edge.http, "127.0.0.1");
    await new Promise((resolve) => held.once("listening", resolve));

    const refused = startLocalStack(start);
    await expect(refused).rejects.toThrow(
      new RegExp(
        `^port ${start.ports.edge.http} \\(the edge\\) is in use by pid ${process.pid} \\(.+\\); free it and start again$`,
      ),
    );
    expect(readdirSync(start.stateDir)).toEqual([]); // no NATS, no keys, no pid files
    rmSync(start.stateDir, { recursive: true, force: true });
  });
});
