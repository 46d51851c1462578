import { randomUUID } from "node:crypto";
import { ConnectError } from "@connectrpc/connect";
import { IdentityService } from "@gavel/proto/identity/v1/identity";
import { createServiceClient } from "@gavel/service";
import { serviceEnv, startService, startTcpBalancer, type ServiceProcess } from "@gavel/testing";
import { afterAll, describe, expect, inject, it } from "vitest";

const started: ServiceProcess[] = [];
afterAll(async () => {
  await Promise.all(started.filter((s) => s.app === "identity").map((s) => s.stop()));
});

const portOf = (url: string) => Number(new URL(url).port);

/**
 * A rolling update as Kubernetes runs it: a replica gets SIGTERM while its callers keep
 * calling through the Service in front of it. The replica sends GOAWAY and refuses the
 * streams that crossed it (REFUSED_STREAM: not processed, RFC 9113 §8.7); the fronts'
 * client (createServiceClient) sends those again on a new connection, which the balancer
 * gives to the other replica. No caller sees an error.
 */
describe("a replica's graceful shutdown", () => {
  it("costs the callers of the service nothing, under load", async () => {
    const env = serviceEnv(inject("natsUrl"));
    const [a, b] = await Promise.all([
      startService("identity", env),
      startService("identity", env),
    ]);
    started.push(a, b);
    const balancer = await startTcpBalancer([portOf(a.rpcUrl), portOf(b.rpcUrl)], "first");
    const client = createServiceClient(IdentityService, balancer.url);
    const { user } = await client.signUp({
      email: `rolling-${randomUUID()}@example.com`,
      password: "correct horse",
      displayName: "Rolling",
    });

    let stop = false;
    const failures: string[] = [];
    let answered = 0;
    const caller = async () => {
      while (!stop) {
        try {
          const got = await client.getUser({ id: user!.id });
          expect(got.user?.id).toBe(user!.id);
          answered++;
        } catch (err) {
          failures.push(ConnectError.from(err).message);
        }
      }
    };
    const callers = Array.from({ length: 64 }, caller);
    await new Promise((r) => setTimeout(r, 500));
    const before = answered;
    expect(await a.stop("SIGTERM")).toBe(0);
    await new Promise((r) => setTimeout(r, 500));
    stop = true;
    await Promise.all(callers);
    await balancer.stop();

    expect(failures).toEqual([]);
    expect(before).toBeGreaterThan(0);
    expect(answered).toBeGreaterThan(before); // b answered after a was gone
  }, 30_000);
});
