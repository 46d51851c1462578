import type { DescService } from "@bufbuild/protobuf";
import { createClient, type Client } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";

/** A real Connect client over HTTP/2, as the edge and BFF will use. */
export function connectClient<T extends DescService>(service: T, baseUrl: string): Client<T> {
  return createClient(service, createConnectTransport({ baseUrl, httpVersion: "2" }));
}

/** The same service over the gRPC protocol, to prove the servers speak it too. */
export function grpcClient<T extends DescService>(service: T, baseUrl: string): Client<T> {
  return createClient(service, createGrpcTransport({ baseUrl }));
}
