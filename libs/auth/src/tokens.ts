import { SignJWT, errors, importPKCS8, importSPKI, jwtVerify, type CryptoKey } from "jose";

export const TOKEN_ISSUER = "gavel-identity";
export const TOKEN_AUDIENCE = "gavel";
const ALGORITHM = "EdDSA";
const CLOCK_TOLERANCE_SECONDS = 5;

/** Who made a call, as proven by a verified token. */
export interface Caller {
  userId: string;
  displayName: string;
  /** The token itself, to forward to the services a caller's request reaches. */
  token: string;
  /**
   * When the token stops being accepted (its expiry plus the clock tolerance): a call or
   * session that outlives it ends there, as a new one would be refused.
   */
  expiresAtMs: number;
}

export interface IssuedToken {
  token: string;
  expiresAt: Date;
}

/** Signs access tokens; only the identity service holds one. */
export class TokenIssuer {
  readonly #key: CryptoKey;
  readonly #keyId: string;
  readonly #ttlSeconds: number;

  private constructor(key: CryptoKey, keyId: string, ttlSeconds: number) {
    this.#key = key;
    this.#keyId = keyId;
    this.#ttlSeconds = ttlSeconds;
  }

  static async fromPem(
    privateKeyPem: string,
    keyId: string,
    ttlSeconds = 3600,
  ): Promise<TokenIssuer> {
    return new TokenIssuer(await importPKCS8(privateKeyPem, ALGORITHM), keyId, ttlSeconds);
  }

  async issue(user: { id: string; displayName: string }, now = new Date()): Promise<IssuedToken> {
    const issuedAt = Math.floor(now.getTime() / 1000);
    const expiresAt = issuedAt + this.#ttlSeconds;
    const token = await new SignJWT({ name: user.displayName })
      .setProtectedHeader({ alg: ALGORITHM, kid: this.#keyId, typ: "JWT" })
      .setSubject(user.id)
      .setIssuer(TOKEN_ISSUER)
      .setAudience(TOKEN_AUDIENCE)
      .setIssuedAt(issuedAt)
      .setExpirationTime(expiresAt)
      .sign(this.#key);
    return { token, expiresAt: new Date(expiresAt * 1000) };
  }
}

/** Why a token was refused, in words a client developer can act on. */
export class InvalidTokenError extends Error {
  override name = "InvalidTokenError";
}

/** How many verified tokens a verifier remembers; one per active user is plenty. */
const VERIFIED_CACHE_SIZE = 10_000;

/**
 * Verifies access tokens with the identity service's public key. A token verified once
 * is remembered until it expires, because an Ed25519 verification costs more CPU than
 * the rest of a typical call; a token that failed is never remembered.
 */
export class TokenVerifier {
  readonly #key: CryptoKey;
  readonly #verified = new Map<string, { caller: Caller; expiresAtMs: number }>();

  private constructor(key: CryptoKey) {
    this.#key = key;
  }

  static async fromPem(publicKeyPem: string): Promise<TokenVerifier> {
    return new TokenVerifier(await importSPKI(publicKeyPem, ALGORITHM));
  }

  async verify(token: string, now = Date.now()): Promise<Caller> {
    const known = this.#verified.get(token);
    if (known && known.expiresAtMs > now) return known.caller;
    this.#verified.delete(token);
    const { caller, expiresAtMs } = await this.#verifySignature(token, now);
    if (this.#verified.size >= VERIFIED_CACHE_SIZE) {
      const oldest = this.#verified.keys().next().value;
      if (oldest !== undefined) this.#verified.delete(oldest);
    }
    this.#verified.set(token, { caller, expiresAtMs });
    return caller;
  }

  async #verifySignature(
    token: string,
    now: number,
  ): Promise<{ caller: Caller; expiresAtMs: number }> {
    try {
      const { payload } = await jwtVerify(token, this.#key, {
        algorithms: [ALGORITHM],
        issuer: TOKEN_ISSUER,
        audience: TOKEN_AUDIENCE,
        requiredClaims: ["sub", "exp"],
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        currentDate: new Date(now),
      });
      if (typeof payload.sub !== "string" || payload.sub === "") {
        throw new InvalidTokenError("token has no subject");
      }
      const expiresAtMs = (payload.exp! + CLOCK_TOLERANCE_SECONDS) * 1000;
      const caller = {
        userId: payload.sub,
        displayName: typeof payload.name === "string" ? payload.name : "",
        token,
        expiresAtMs,
      };
      return { caller, expiresAtMs };
    } catch (err) {
      if (err instanceof InvalidTokenError) throw err;
      if (err instanceof errors.JWTExpired)
        throw new InvalidTokenError("token expired: sign in again");
      if (err instanceof errors.JOSEError)
        throw new InvalidTokenError(`token rejected: ${err.code}`);
      throw err;
    }
  }
}
