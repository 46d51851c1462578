import { describe, expect, it } from "vitest";
import { generateSigningKeyPair } from "./key-pair.ts";
import { InvalidTokenError, TokenIssuer, TokenVerifier } from "./tokens.ts";

const keys = generateSigningKeyPair();
const other = generateSigningKeyPair();

describe("tokens", () => {
  it("round-trips the user id and display name, and says when the token stops being accepted", async () => {
    const issuer = await TokenIssuer.fromPem(keys.privateKeyPem, "k1");
    const { token, expiresAt } = await issuer.issue({ id: "u1", displayName: "Ada" });
    const caller = await (await TokenVerifier.fromPem(keys.publicKeyPem)).verify(token);
    // Its expiry plus the verifiers' five seconds of clock tolerance.
    const expiresAtMs = expiresAt.getTime() + 5_000;
    expect(caller).toEqual({ userId: "u1", displayName: "Ada", token, expiresAtMs });
    expect(expiresAt.getTime()).toBeGreaterThan(Date.now() + 3500_000);
  });

  it("refuses a token signed with another key", async () => {
    const forged = await (
      await TokenIssuer.fromPem(other.privateKeyPem, "k1")
    ).issue({ id: "u1", displayName: "" });
    const verifier = await TokenVerifier.fromPem(keys.publicKeyPem);
    await expect(verifier.verify(forged.token)).rejects.toThrow(InvalidTokenError);
  });

  it("refuses an expired token with a message that says so", async () => {
    const issuer = await TokenIssuer.fromPem(keys.privateKeyPem, "k1", 60);
    const old = await issuer.issue({ id: "u1", displayName: "" }, new Date(Date.now() - 3600_000));
    const verifier = await TokenVerifier.fromPem(keys.publicKeyPem);
    await expect(verifier.verify(old.token)).rejects.toThrow(/expired/);
  });

  it("refuses a token with alg none or garbage", async () => {
    const verifier = await TokenVerifier.fromPem(keys.publicKeyPem);
    const none = `${Buffer.from('{"alg":"none"}').toString("base64url")}.${Buffer.from('{"sub":"u1"}').toString("base64url")}.`;
    await expect(verifier.verify(none)).rejects.toThrow(InvalidTokenError);
    await expect(verifier.verify("not-a-token")).rejects.toThrow(InvalidTokenError);
  });

  it("remembers a verified token only until it expires", async () => {
    const issuer = await TokenIssuer.fromPem(keys.privateKeyPem, "k1", 60);
    const { token, expiresAt } = await issuer.issue({ id: "u1", displayName: "" });
    const verifier = await TokenVerifier.fromPem(keys.publicKeyPem);
    expect((await verifier.verify(token)).userId).toBe("u1");
    expect((await verifier.verify(token)).userId).toBe("u1");
    const afterExpiry = expiresAt.getTime() + 10_000;
    await expect(verifier.verify(token, afterExpiry)).rejects.toThrow(/expired/);
  });
});
