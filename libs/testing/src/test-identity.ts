import { randomBytes } from "node:crypto";
import { generateSigningKeyPair, TokenIssuer, type IssuedToken } from "@gavel/auth";

/**
 * The signing keys of one test process: services it starts verify with the public
 * key, and tests mint tokens for made-up users without going through sign-in.
 */
export const testKeys = generateSigningKeyPair();

/** The push replicas' shared secret for SSE/WebSocket tickets, one per test process. */
const pushTicketSecret = randomBytes(32).toString("base64url");

let issuer: Promise<TokenIssuer> | undefined;

export async function mintToken(userId: string, displayName = userId): Promise<string> {
  issuer ??= TokenIssuer.fromPem(testKeys.privateKeyPem, "test");
  return (await issuer).issue({ id: userId, displayName }).then((t) => t.token);
}

/**
 * A token that expires after `ttlSeconds`, for tests of what happens at expiry; verifiers
 * accept it for five seconds more (their clock tolerance).
 */
export async function mintShortToken(userId: string, ttlSeconds: number): Promise<IssuedToken> {
  const short = await TokenIssuer.fromPem(testKeys.privateKeyPem, "test", ttlSeconds);
  return short.issue({ id: userId, displayName: userId });
}

export function authHeader(token: string): { headers: { authorization: string } } {
  return { headers: { authorization: `Bearer ${token}` } };
}

/** Environment every service started by tests gets. */
export function serviceEnv(natsUrl: string): Record<string, string> {
  return {
    NATS_URL: natsUrl,
    GAVEL_JWT_PUBLIC_KEY: testKeys.publicKeyPem,
    GAVEL_JWT_PRIVATE_KEY: testKeys.privateKeyPem,
    GAVEL_ENV: "development",
    GAVEL_PUSH_TICKET_SECRET: pushTicketSecret,
    LOG_LEVEL: process.env.GAVEL_TEST_LOG_LEVEL ?? "info",
  };
}
