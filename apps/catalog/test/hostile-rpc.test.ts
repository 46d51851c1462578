import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { CatalogService } from "@gavel/proto/catalog/v1/catalog";
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
 * Hostile input straight to a TypeScript service's RPC port (the Connect server every
 * TypeScript service shares, from @gavel/service): whatever arrives, the answer is a
 * proper Connect or gRPC refusal, never `internal`/`unknown`, and the process lives on.
 */
let group: ServiceGroup;
let catalog: ServiceProcess;
let token: string;
beforeAll(async () => {
  group = new ServiceGroup();
  catalog = await group.start("catalog", serviceEnv(inject("natsUrl")), { inspect: true });
  token = await mintToken("hostile-tester");
});
afterAll(async () => expect(await group.stop()).toEqual([0]));

const paths = [
  "/gavel.catalog.v1.CatalogService/GetLot",
  "/gavel.catalog.v1.CatalogService/ListLots",
  "/gavel.catalog.v1.CatalogService/CreateLot",
  "/gavel.catalog.v1.CatalogService/ImportLots",
];

describe("what the properties found: malformed requests are the client's fault", () => {
  const getLot = "/gavel.catalog.v1.CatalogService/GetLot";
  it("answers a Connect message that is not protobuf with invalid_argument, not internal", async () => {
    const res = await rawH2Request(catalog.rpcUrl, getLot, Buffer.from([0]), {
      "content-type": "application/proto",
    });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toMatchObject({ code: "invalid_argument" });
  });

  it("answers a gRPC message that is not protobuf with status 3, not 13", async () => {
    const res = await rawH2Request(catalog.rpcUrl, getLot, Buffer.from([0, 0, 0, 0, 1, 0]), {
      "content-type": "application/grpc+proto",
      te: "trailers",
    });
    expect(res.trailers["grpc-status"] ?? res.headers["grpc-status"]).toBe("3");
  });

  it("answers a gRPC-Web message that is not protobuf with status 3 in its trailer frame", async () => {
    const res = await rawH2Request(catalog.rpcUrl, getLot, Buffer.from([0, 0, 0, 0, 1, 0]), {
      "content-type": "application/grpc-web+proto",
    });
    expect(res.body).toMatch(/grpc-status: 3\r\n/);
  });

  it("ends a Connect stream whose message is not protobuf with invalid_argument", async () => {
    const importLots = "/gavel.catalog.v1.CatalogService/ImportLots";
    const res = await rawH2Request(catalog.rpcUrl, importLots, Buffer.from([0, 0, 0, 0, 1, 0]), {
      "content-type": "application/connect+proto",
      authorization: `Bearer ${token}`,
    });
    expect(res.body).toContain(`"code":"invalid_argument"`);
  });

  it("answers truncated gzip with invalid_argument, not internal", async () => {
    const res = await rawH2Request(catalog.rpcUrl, getLot, Buffer.from([0x1f, 0x8b, 8, 0]), {
      "content-type": "application/proto",
      "content-encoding": "gzip",
    });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toMatchObject({ code: "invalid_argument" });
  });
});

describe("Connect and gRPC hostile input", () => {
  it("answers garbage, lying envelopes, oversize messages and gzip bombs with a proper code", async () => {
    const client = connectClient(CatalogService, catalog.rpcUrl);
    const summary = await expectHostileRpcSurvived(catalog, {
      paths,
      token,
      numRuns: 200,
      honest: async () => {
        const { lots } = await client.listLots({ pageSize: 1 }, authHeader(token));
        expect(Array.isArray(lots)).toBe(true);
      },
    });
    console.info("hostile rpc catalog", summary);
  }, 180_000);
});
