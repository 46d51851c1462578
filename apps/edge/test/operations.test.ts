import { once } from "node:events";
import { connect } from "node:net";
import { startService } from "@gavel/testing";
import { describe, expect, it } from "vitest";
import { observeRaw } from "./contract/client-hooks.ts";
import { observe, settle } from "./contract/contract-violations.ts";
import { useEdgeStack } from "./edge-stack.ts";

const stack = useEdgeStack();

describe("browsers and operations", () => {
  it("answers CORS preflights for allowed origins only, exposing the caching headers", async () => {
    const preflight = (origin: string) =>
      fetch(`${stack.base}/v1/lots`, {
        method: "OPTIONS",
        headers: {
          origin,
          "access-control-request-method": "POST",
          "access-control-request-headers": "authorization,content-type",
        },
      });
    const allowed = await preflight("http://localhost:8080");
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get("access-control-allow-origin")).toBe("http://localhost:8080");
    expect(allowed.headers.get("access-control-allow-headers")).toMatch(/Authorization/);
    const refused = await preflight("https://evil.example");
    expect(refused.headers.get("access-control-allow-origin")).toBeNull();
    const read = await fetch(`${stack.base}/v1`, { headers: { origin: "http://localhost:8080" } });
    expect(read.headers.get("access-control-expose-headers")).toMatch(/ETag/);
  });

  it("sends helmet's security headers", async () => {
    const response = await fetch(`${stack.base}/v1`);
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("strict-transport-security")).toMatch(/max-age/);
    expect(response.headers.get("x-powered-by")).toBeNull();
  });

  it("cuts off a client that sends its request too slowly with 408", async () => {
    const edge = await startService("edge", {
      ...stack.upstreamEnv,
      GAVEL_REQUEST_TIMEOUT_MS: "1000",
    });
    try {
      const { port } = new URL(edge.rpcUrl);
      const socket = connect(Number(port), "127.0.0.1");
      const started = Date.now();
      socket.write(
        "POST /v1/auth/sign-in HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{",
      );
      let answer = "";
      socket.on("data", (chunk: Buffer) => (answer += chunk.toString()));
      await once(socket, "close");
      expect(answer).toMatch(/^HTTP\/1\.1 408/);
      expect(Date.now() - started).toBeLessThan(5_000);
      // Written to a raw socket, so no client hook saw it: checked here, while the edge is up.
      observeRaw(edge.rpcUrl, "POST", "/v1/auth/sign-in", answer, observe);
      await settle();
    } finally {
      await edge.stop();
    }
  });

  it("drains and exits cleanly on SIGTERM, answering not ready meanwhile", async () => {
    const edge = await startService("edge", stack.upstreamEnv);
    expect((await fetch(`${edge.rpcUrl}/readyz`)).status).toBe(200);
    expect(await edge.stop("SIGTERM")).toBe(0);
    expect(edge.logs.some((l) => l.msg === "stopped")).toBe(true);
  });
});
