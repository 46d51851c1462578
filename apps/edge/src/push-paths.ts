/**
 * Where the push gateway serves live feeds, as the edge links to them. The gateway
 * (apps/push) is reached through the same host in the cluster's ingress.
 */
export const pushPaths = {
  websocket: "/ws",
  lotStream: (lotId: string) => `/v1/stream/lots/${lotId}`,
  notifications: "/v1/stream/me/notifications",
};
