/**
 * Where the push gateway serves live feeds, as the edge links to them. The gateway
 * (apps/push) is reached through the same host in the cluster's ingress.
 */
export const pushPaths = {
  websocket: "/ws",
  lotStream: (lotId: string) => `/sse/lots/${lotId}`,
  notifications: "/sse/notifications",
};
