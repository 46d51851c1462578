import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { InvoiceRole, SettlementService } from "@gavel/proto/settlement/v1/settlement";
import {
  authHeader,
  connectClient,
  expectHostileRpcSurvived,
  mintToken,
  rawH2Request,
  serviceEnv,
  ServiceGroup,
  type ServiceProcess,
} from "@gavel/testing";

/**
 * The same hostile input as the TypeScript services get, sent to the Go service
 * (connect-go): a proper Connect or gRPC refusal every time, never `internal`/`unknown`.
 */
let group: ServiceGroup;
let settlement: ServiceProcess;
let token: string;
beforeAll(async () => {
  group = new ServiceGroup();
  const env = serviceEnv(inject("natsUrl"));
  await group.start("catalog", env); // creates the lot events stream settlement waits for
  settlement = await group.start("settlement", env);
  token = await mintToken("hostile-tester");
}, 120_000);
afterAll(async () => expect(await group.stop()).toEqual([0, 0]));

const paths = [
  "/gavel.settlement.v1.SettlementService/GetInvoice",
  "/gavel.settlement.v1.SettlementService/ListInvoices",
];

describe("what the properties found: a malformed envelope is the client's fault", () => {
  const getInvoice = "/gavel.settlement.v1.SettlementService/GetInvoice";
  it.each([
    ["application/grpc+proto", "a cut prefix", [0]],
    ["application/grpc-web+proto", "a cut prefix", [0]],
    ["application/grpc+proto", "a length that lies", [0, 0, 0, 0, 9, 1]],
    ["application/grpc+proto", "unknown flags", [12, 0, 0, 0, 0]],
    ["application/grpc-web+proto", "bytes after the message", [0, 0, 0, 0, 0, 1]],
  ])("answers %s with %s with status 3, not 13", async (contentType, _what, bytes) => {
    const res = await rawH2Request(settlement.rpcUrl, getInvoice, Buffer.from(bytes), {
      "content-type": contentType,
      te: "trailers",
      authorization: `Bearer ${token}`,
    });
    expect(res.status).toBe(200);
    expect(res.trailers["grpc-status"] ?? res.headers["grpc-status"]).toBe("3");
  });
});

describe("Connect and gRPC hostile input to the Go service", () => {
  it("answers garbage, lying envelopes, oversize messages and gzip bombs with a proper code", async () => {
    const client = connectClient(SettlementService, settlement.rpcUrl);
    const summary = await expectHostileRpcSurvived(settlement, {
      paths,
      token,
      numRuns: 200,
      honest: async () => {
        const { invoices } = await client.listInvoices(
          { role: InvoiceRole.BUYER, pageSize: 1 },
          authHeader(token),
        );
        expect(invoices).toEqual([]);
      },
    });
    console.info("hostile rpc settlement", summary);
  }, 180_000);
});
