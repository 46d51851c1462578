/**
 * The read as the catalog service's own ListLots RPC, called directly on its port (h2c)
 * with connect-node's transports: Connect with JSON and with binary messages, gRPC and
 * gRPC-Web. Each reader keeps one HTTP/2 session and runs concurrent calls as streams.
 * The transports offer gzip and br (connect-node's default); the server compresses
 * messages over 1 KiB, and the table shows the coding it chose.
 */
import { createClient, type Interceptor } from "@connectrpc/connect";
import { CatalogService } from "@gavel/proto/catalog/v1/catalog";
import { PAGE_SIZE, type Reader, type ReadVariant } from "./read-variant.ts";
import { openRpcConnection, RPC_PROTOCOL_NAMES, type RpcProtocol } from "./rpc-transports.ts";

/** Remembers the coding of the last response (Connect's or gRPC's header for it). */
function codingSpy() {
  const seen = { coding: "identity" };
  const interceptor: Interceptor = (next) => async (req) => {
    const res = await next(req);
    seen.coding =
      res.header.get("content-encoding") ?? res.header.get("grpc-encoding") ?? "identity";
    return res;
  };
  return { seen, interceptor };
}

function rpcReader(baseUrl: string, protocol: RpcProtocol): Reader {
  const spy = codingSpy();
  const connection = openRpcConnection(protocol, baseUrl, [spy.interceptor]);
  const client = createClient(CatalogService, connection.transport);
  const list = () => client.listLots({ pageSize: PAGE_SIZE });
  const format = protocol === "connect-json" ? "json" : "proto";
  return {
    read: async () => void (await list()),
    async inspect() {
      const { lots } = await list();
      return {
        encoding: `${format}, ${spy.seen.coding}`,
        bodyBytes: undefined,
        lots: lots.length,
        sellerNames: 0,
        highestBids: lots.filter((lot) => lot.highestBid !== undefined).length,
      };
    },
    close: () => connection.close(),
  };
}

const PROTOCOLS: RpcProtocol[] = ["connect-json", "connect-binary", "grpc", "grpc-web"];

export const rpcReads: ReadVariant[] = PROTOCOLS.map((protocol) => ({
  name: `${RPC_PROTOCOL_NAMES[protocol]}, HTTP/2 (h2c)`,
  target: "catalog",
  note: "the service's Lot message: seller_id only (names are identity's)",
  open: async (baseUrl) => rpcReader(baseUrl, protocol),
}));
