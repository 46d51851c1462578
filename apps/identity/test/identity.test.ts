import { randomUUID } from "node:crypto";
import { Code, ConnectError } from "@connectrpc/connect";
import { BadRequestSchema } from "@gavel/proto/common/v1/errors";
import { IdentityService } from "@gavel/proto/identity/v1/identity";
import { TokenVerifier } from "@gavel/auth";
import {
  authHeader,
  connectClient,
  grpcClient,
  mintToken,
  serviceEnv,
  startService,
  testKeys,
  type ServiceProcess,
  connectFailure,
} from "@gavel/testing";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

let identity: ServiceProcess;
let client: ReturnType<typeof connectClient<typeof IdentityService>>;

beforeAll(async () => {
  identity = await startService("identity", serviceEnv(inject("natsUrl")));
  client = connectClient(IdentityService, identity.rpcUrl);
});

afterAll(async () => {
  expect(await identity.stop()).toBe(0);
});

const email = () => `user-${randomUUID()}@example.com`;

const codeOf = async (call: Promise<unknown>): Promise<Code> => (await connectFailure(call)).code;

describe("sign-up and sign-in", () => {
  it("signs up, signs in, and issues a token the other services can verify", async () => {
    const address = email();
    const { user } = await client.signUp({
      email: address,
      password: "correct horse",
      displayName: "Ada",
    });
    expect(user?.email).toBe(address);
    const signedIn = await client.signIn({
      email: address.toUpperCase(),
      password: "correct horse",
    });
    expect(signedIn.user?.id).toBe(user?.id);
    const caller = await (
      await TokenVerifier.fromPem(testKeys.publicKeyPem)
    ).verify(signedIn.accessToken);
    expect(caller).toMatchObject({ userId: user?.id, displayName: "Ada" });
  });

  it("refuses a second account with the same email, whatever its case", async () => {
    const address = email();
    await client.signUp({ email: address, password: "correct horse", displayName: "A" });
    expect(
      await codeOf(
        client.signUp({
          email: address.toUpperCase(),
          password: "other password",
          displayName: "B",
        }),
      ),
    ).toBe(Code.AlreadyExists);
  });

  it("lets exactly one of many concurrent sign-ups for one email win", async () => {
    const address = email();
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) =>
        client.signUp({ email: address, password: "correct horse", displayName: `n${i}` }),
      ),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const r of results)
      if (r.status === "rejected")
        expect(ConnectError.from(r.reason).code).toBe(Code.AlreadyExists);
  });

  it("answers a wrong password and an unknown email the same way", async () => {
    const address = email();
    await client.signUp({ email: address, password: "correct horse", displayName: "A" });
    const wrong = await client
      .signIn({ email: address, password: "wrong password" })
      .catch((e) => ConnectError.from(e));
    const unknown = await client
      .signIn({ email: email(), password: "wrong password" })
      .catch((e) => ConnectError.from(e));
    expect(wrong).toBeInstanceOf(ConnectError);
    expect(unknown).toBeInstanceOf(ConnectError);
    expect([(wrong as ConnectError).code, (wrong as ConnectError).rawMessage]).toEqual([
      (unknown as ConnectError).code,
      (unknown as ConnectError).rawMessage,
    ]);
    expect((wrong as ConnectError).code).toBe(Code.Unauthenticated);
  });

  it("names every bad field of a sign-up in one INVALID_ARGUMENT", async () => {
    const err = await client
      .signUp({ email: "nope", password: "short", displayName: "" })
      .catch((e) => ConnectError.from(e));
    expect(err).toBeInstanceOf(ConnectError);
    expect((err as ConnectError).code).toBe(Code.InvalidArgument);
    const [detail] = (err as ConnectError).findDetails(BadRequestSchema);
    expect(detail?.fieldViolations.map((f) => f.field)).toEqual([
      "email",
      "password",
      "display_name",
    ]);
  });
});

describe("users", () => {
  it("shows the email only to the user themselves", async () => {
    const address = email();
    const { user } = await client.signUp({
      email: address,
      password: "correct horse",
      displayName: "Grace",
    });
    const id = user?.id ?? "";
    const asStranger = await client.getUser({ id }, authHeader(await mintToken("someone-else")));
    const asSelf = await client.getUser({ id }, authHeader(await mintToken(id)));
    const anonymous = await client.getUser({ id });
    expect(asStranger.user?.email).toBe("");
    expect(anonymous.user?.email).toBe("");
    expect(asSelf.user?.email).toBe(address);
    expect(asStranger.user?.displayName).toBe("Grace");
  });

  it("batch-gets known users, skipping unknown ids and answering duplicates once", async () => {
    const a =
      (await client.signUp({ email: email(), password: "correct horse", displayName: "A" })).user
        ?.id ?? "";
    const b =
      (await client.signUp({ email: email(), password: "correct horse", displayName: "B" })).user
        ?.id ?? "";
    const { users } = await client.batchGetUsers({ ids: [a, b, a, randomUUID()] });
    expect(users.map((u) => u.id).sort()).toEqual([a, b].sort());
  });

  it("answers bad ids, unknown ids and oversized batches with clear codes", async () => {
    expect(await codeOf(client.getUser({ id: "../etc" }))).toBe(Code.InvalidArgument);
    expect(await codeOf(client.getUser({ id: randomUUID() }))).toBe(Code.NotFound);
    const ids = Array.from({ length: 101 }, () => randomUUID());
    expect(await codeOf(client.batchGetUsers({ ids }))).toBe(Code.InvalidArgument);
  });

  it("refuses a forged or malformed token instead of acting anonymously", async () => {
    // Change the signature's first character: its last one partly holds padding bits.
    const [header, payload, signature] = (await mintToken("x")).split(".");
    const forged = `${header}.${payload}.${signature![0] === "A" ? "B" : "A"}${signature!.slice(1)}`;
    expect(await codeOf(client.getUser({ id: randomUUID() }, authHeader(forged)))).toBe(
      Code.Unauthenticated,
    );
    expect(
      await codeOf(
        client.getUser({ id: randomUUID() }, { headers: { authorization: "Basic abc" } }),
      ),
    ).toBe(Code.Unauthenticated);
  });

  it("serves the gRPC protocol as well as Connect", async () => {
    const { user } = await client.signUp({
      email: email(),
      password: "correct horse",
      displayName: "G",
    });
    const viaGrpc = await grpcClient(IdentityService, identity.rpcUrl).getUser({
      id: user?.id ?? "",
    });
    expect(viaGrpc.user?.displayName).toBe("G");
  });
});

describe("process", () => {
  it("stops at start with a message naming every bad setting", async () => {
    const env = {
      ...serviceEnv(inject("natsUrl")),
      PORT: "not-a-port",
      GAVEL_JWT_PRIVATE_KEY: "oops",
    };
    const failed = await startService("identity", env).then(
      () => undefined,
      (err: Error) => err.message,
    );
    expect(failed).toMatch(/exited with 78/);
    expect(failed).toMatch(/PORT/);
    expect(failed).toMatch(/GAVEL_JWT_PRIVATE_KEY/);
  });
});
