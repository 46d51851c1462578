import { SignJWT, errors, importPKCS8, importSPKI, jwtVerify, type CryptoKey } from "jose";

export const TOKEN_ISSUER = "gavel-identity";
export const TOKEN_AUDIENCE = "gavel";
const ALGORITHM = "EdDSA";

/** Who made a call, as proven by a verified token. */
export interface Caller {
  userId: string;
  displayName: string;
  /** The token itself, to forward to the services a caller's request reaches. */
  token: string;
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

/** Verifies access tokens with the identity service's public key. */
export class TokenVerifier {
  readonly #key: CryptoKey;

  private constructor(key: CryptoKey) {
    this.#key = key;
  }

  static async fromPem(publicKeyPem: string): Promise<TokenVerifier> {
    return new TokenVerifier(await importSPKI(publicKeyPem, ALGORITHM));
  }

  async verify(token: string): Promise<Caller> {
    try {
      const { payload } = await jwtVerify(token, this.#key, {
        algorithms: [ALGORITHM],
        issuer: TOKEN_ISSUER,
        audience: TOKEN_AUDIENCE,
        requiredClaims: ["sub", "exp"],
        clockTolerance: 5,
      });
      if (typeof payload.sub !== "string" || payload.sub === "") {
        throw new InvalidTokenError("token has no subject");
      }
      return {
        userId: payload.sub,
        displayName: typeof payload.name === "string" ? payload.name : "",
        token,
      };
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
