/**
 * The one table of Gavel's default local ports. Each Connect service serves its RPCs
 * over h2c on `rpc` and its health endpoints over HTTP/1.1 on `admin` (Node cannot
 * serve HTTP/1.1 and cleartext HTTP/2 on one port, and probes speak HTTP/1.1).
 */
export const defaultPorts = {
  catalog: { rpc: 7101, admin: 9101 },
  bidding: { rpc: 7102, admin: 9102 },
  identity: { rpc: 7103, admin: 9103 },
  settlement: { rpc: 7104, admin: 9104 },
  edge: { http: 8080 },
  bff: { http: 4000 },
  push: { http: 8090 },
  /** Health only: the notifier serves no API. */
  notifier: { http: 9105 },
  nats: { client: 4222, monitor: 8222 },
} as const;
