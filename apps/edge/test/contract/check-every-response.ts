import type * as Undici from "undici";
import { afterAll, afterEach, vi } from "vitest";
import { hookClients } from "./client-hooks.ts";
import { observe, settle } from "./contract-violations.ts";

/**
 * The edge suite's setup file (vitest.config.ts): every response a test receives from
 * an edge's /v1 is checked against the OpenAPI document that edge serves, and a test
 * after which one fails the check fails. Responses received in beforeAll fail the test
 * that follows, those in afterAll the file.
 */
hookClients(observe);
vi.mock("undici", async (importOriginal) => {
  const { checkedUndici } = await import("./client-hooks.ts");
  const { observe: observeResponse } = await import("./contract-violations.ts");
  return checkedUndici(await importOriginal<typeof Undici>(), observeResponse);
});

afterEach(settle, 60_000);
afterAll(settle, 60_000);
