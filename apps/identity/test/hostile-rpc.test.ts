import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { IdentityService } from "@gavel/proto/identity/v1/identity";
import {
  connectClient,
  expectHostileRpcSurvived,
  mintToken,
  serviceEnv,
  startService,
  type ServiceProcess,
} from "@gavel/testing";

/**
 * Hostile input straight to identity's RPC port, the service that reads passwords: garbage
 * and lying frames, oversize messages and gzip bombs on every method get a proper Connect
 * or gRPC refusal, never `internal`/`unknown`, and sign-up still works afterwards.
 */
let identity: ServiceProcess;
let token: string;
beforeAll(async () => {
  identity = await startService("identity", serviceEnv(inject("natsUrl")), { inspect: true });
  token = await mintToken("hostile-tester");
});
afterAll(async () => expect(await identity.stop()).toBe(0));

const paths = ["SignUp", "SignIn", "GetUser", "BatchGetUsers"].map(
  (method) => `/gavel.identity.v1.IdentityService/${method}`,
);

describe("Connect and gRPC hostile input to identity", () => {
  it("answers garbage, lying envelopes, oversize messages and gzip bombs with a proper code", async () => {
    const client = connectClient(IdentityService, identity.rpcUrl);
    const summary = await expectHostileRpcSurvived(identity, {
      paths,
      token,
      numRuns: 200,
      honest: async () => {
        const email = `honest-${randomUUID()}@example.com`;
        const { user } = await client.signUp({
          email,
          password: "correct horse",
          displayName: "Honest",
        });
        expect(user?.email).toBe(email);
      },
    });
    console.info("hostile rpc identity", summary);
  }, 180_000);
});
