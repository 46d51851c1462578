import { generateKeyPairSync } from "node:crypto";

export interface PemKeyPair {
  publicKeyPem: string;
  privateKeyPem: string;
}

/** A new Ed25519 key pair, for development stacks and tests (production keys come from a Secret). */
export function generateSigningKeyPair(): PemKeyPair {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  return {
    publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString(),
    privateKeyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
  };
}
