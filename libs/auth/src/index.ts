export {
  TokenIssuer,
  TokenVerifier,
  InvalidTokenError,
  TOKEN_ISSUER,
  TOKEN_AUDIENCE,
} from "./tokens.ts";
export type { Caller, IssuedToken } from "./tokens.ts";
export { authInterceptor, requireCaller, optionalCaller, callerKey } from "./connect-auth.ts";
export { generateSigningKeyPair } from "./key-pair.ts";
export type { PemKeyPair } from "./key-pair.ts";
export { onExpiry } from "./expiry.ts";
