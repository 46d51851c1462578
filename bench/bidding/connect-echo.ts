import http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { IdentityService } from "@gavel/proto/identity/v1/identity";

/**
 * A Connect server over h2c that answers GetUser from memory: the cost of a Connect
 * unary call with no work behind it, measured in the same run as a baseline.
 */
export async function startConnectEcho(): Promise<{ url: string; close(): void }> {
  const server = http2.createServer(
    connectNodeAdapter({
      routes: (router) =>
        router.service(IdentityService, { getUser: (req) => ({ user: { id: req.id } }) }),
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => server.close() };
}
