import { createHmac, createPrivateKey, sign } from "node:crypto";
import { TOKEN_AUDIENCE, TOKEN_ISSUER } from "@gavel/auth";
import { testKeys } from "./test-identity.ts";

/**
 * Tokens every verifier must refuse, for the user `userId`: each differs from a good
 * token in one way only, so a refusal proves that one check (signed by hand here, since
 * a JWT library would refuse to make most of them).
 */
export function hostileTokens(userId: string): Record<string, string> {
  const now = Math.floor(Date.now() / 1000);
  const claims = {
    sub: userId,
    name: userId,
    iss: TOKEN_ISSUER,
    aud: TOKEN_AUDIENCE,
    iat: now,
    exp: now + 600,
  };
  const eddsa = { alg: "EdDSA", typ: "JWT", kid: "test" };
  return {
    "alg none": jwt({ alg: "none", typ: "JWT" }, claims, () => ""),
    // The classic confusion: a verifier that takes the key's bytes as an HMAC secret.
    "HS256 signed with the public key": jwt({ alg: "HS256", typ: "JWT" }, claims, (input) =>
      createHmac("sha256", testKeys.publicKeyPem).update(input).digest("base64url"),
    ),
    // Past the verifiers' clock tolerance (5 s) by far.
    expired: signed(eddsa, { ...claims, iat: now - 7200, exp: now - 3600 }),
    "not yet valid (nbf)": signed(eddsa, { ...claims, nbf: now + 3600 }),
    "wrong issuer": signed(eddsa, { ...claims, iss: "someone-else" }),
    "wrong audience": signed(eddsa, { ...claims, aud: "another-service" }),
    "no expiry": signed(eddsa, { sub: userId, iss: TOKEN_ISSUER, aud: TOKEN_AUDIENCE }),
    "signature of another token": tamper(signed(eddsa, claims)),
  };
}

/** A well-formed EdDSA token with the test keys and any claims. */
function signed(header: object, claims: object): string {
  const key = createPrivateKey(testKeys.privateKeyPem);
  return jwt(header, claims, (input) => sign(null, Buffer.from(input), key).toString("base64url"));
}

function jwt(header: object, claims: object, signature: (input: string) => string): string {
  const input = `${base64url(header)}.${base64url(claims)}`;
  return `${input}.${signature(input)}`;
}

/** The token's claims with a different subject, its signature kept. */
function tamper(token: string): string {
  const [header, payload, signature] = token.split(".");
  const claims = JSON.parse(Buffer.from(payload!, "base64url").toString()) as { sub: string };
  return `${header}.${base64url({ ...claims, sub: `${claims.sub}-x` })}.${signature}`;
}

const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
