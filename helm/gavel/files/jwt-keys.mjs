// The chart's pre-install/pre-upgrade hook (templates/jwt-keys-hook.yaml), run with the
// identity image's Node: makes the Ed25519 key pair that identity signs access tokens
// with and stores it as a Secret, once. Helm's genPrivateKey can make an Ed25519 key but
// cannot derive its public key, which every other app needs, hence this hook.
// If the Secret exists (409) it is kept, so upgrades never rotate the keys; the Secret
// outlives `helm uninstall` for the same reason. Node built-ins only: no dependencies.
/* eslint-disable no-console -- the hook's output is its log */
import { Buffer } from "node:buffer";
import { generateKeyPairSync } from "node:crypto";
import { readFileSync } from "node:fs";
import { request } from "node:https";

const apiAccess = "/var/run/secrets/gavel/kube-api";
const { SECRET_NAME: name, POD_NAMESPACE: namespace, SECRET_LABELS: labels } = process.env;

const { publicKey, privateKey } = generateKeyPairSync("ed25519");
const secret = JSON.stringify({
  apiVersion: "v1",
  kind: "Secret",
  metadata: { name, namespace, labels: JSON.parse(labels ?? "{}") },
  type: "Opaque",
  stringData: {
    "jwt-private-key.pem": privateKey.export({ type: "pkcs8", format: "pem" }),
    "jwt-public-key.pem": publicKey.export({ type: "spki", format: "pem" }),
  },
});

const answer = await new Promise((resolve, reject) => {
  const req = request(
    {
      host: process.env.KUBERNETES_SERVICE_HOST,
      port: process.env.KUBERNETES_SERVICE_PORT,
      method: "POST",
      path: `/api/v1/namespaces/${namespace}/secrets`,
      ca: readFileSync(`${apiAccess}/ca.crt`),
      timeout: 15_000,
      headers: {
        authorization: `Bearer ${readFileSync(`${apiAccess}/token`, "utf8").trim()}`,
        "content-type": "application/json",
        "content-length": Buffer.byteLength(secret),
      },
    },
    (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode, body }));
    },
  );
  req.on("timeout", () => req.destroy(new Error("the Kubernetes API did not answer in 15 s")));
  req.on("error", reject);
  req.end(secret);
});

if (answer.status === 201) {
  console.log(`created Secret ${namespace}/${name} with a new Ed25519 key pair`);
} else if (answer.status === 409) {
  console.log(`Secret ${namespace}/${name} exists: keeping its key pair`);
} else {
  console.error(`creating Secret ${namespace}/${name} failed: ${answer.status} ${answer.body}`);
  process.exit(1);
}
