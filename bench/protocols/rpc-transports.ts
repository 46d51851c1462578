/**
 * connect-node's client transports, by the protocol the bench compares, each on an
 * HTTP/2 session the caller owns (so it can close it: a transport alone keeps its
 * connection until an idle timeout). All four speak to the services' h2c port.
 */
import type { Interceptor, Transport } from "@connectrpc/connect";
import {
  createConnectTransport,
  createGrpcTransport,
  createGrpcWebTransport,
  Http2SessionManager,
} from "@connectrpc/connect-node";

export type RpcProtocol = "connect-json" | "connect-binary" | "grpc" | "grpc-web";

export const RPC_PROTOCOL_NAMES: Record<RpcProtocol, string> = {
  "connect-json": "Connect, JSON",
  "connect-binary": "Connect, binary",
  grpc: "gRPC",
  "grpc-web": "gRPC-Web",
};

export interface RpcConnection {
  transport: Transport;
  /** Ends the connection and every call on it. */
  close(): void;
  /** Resolves once connected; rejects when the server cannot be reached. */
  connected(): Promise<void>;
}

export function openRpcConnection(
  protocol: RpcProtocol,
  baseUrl: string,
  interceptors: Interceptor[] = [],
): RpcConnection {
  const sessionManager = new Http2SessionManager(baseUrl);
  const options = { baseUrl, sessionManager, interceptors };
  const transports: Record<RpcProtocol, () => Transport> = {
    "connect-json": () =>
      createConnectTransport({ ...options, httpVersion: "2", useBinaryFormat: false }),
    "connect-binary": () =>
      createConnectTransport({ ...options, httpVersion: "2", useBinaryFormat: true }),
    grpc: () => createGrpcTransport(options),
    "grpc-web": () => createGrpcWebTransport({ ...options, httpVersion: "2" }),
  };
  return {
    transport: transports[protocol](),
    close: () => sessionManager.abort(),
    async connected() {
      if ((await sessionManager.connect()) === "error")
        throw new Error(`${RPC_PROTOCOL_NAMES[protocol]}: could not connect to ${baseUrl}`);
    },
  };
}
