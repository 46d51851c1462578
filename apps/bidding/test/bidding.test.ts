import { randomUUID } from "node:crypto";
import { Code, ConnectError } from "@connectrpc/connect";
import {
  BidRejection_Reason,
  BidRejectionSchema,
  BiddingService,
  LotPhase,
} from "@gavel/proto/bidding/v1/bidding";
import { LotStatus } from "@gavel/proto/catalog/v1/catalog";
import { connectClient, connectFailure, rawH2Request, startService } from "@gavel/testing";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { bidder, eur, listLot, startBiddingStack, type BiddingStack } from "./bidding-stack.ts";

let stack: BiddingStack;
let client: BiddingStack["biddingClients"][number];

beforeAll(async () => {
  stack = await startBiddingStack(inject("natsUrl"));
  client = stack.biddingClients[0]!;
});

afterAll(async () => {
  expect(await stack.stop()).toEqual([0, 0]);
});

describe("placing bids", () => {
  it("accepts a bid, reports the new state, and the catalog reflects it", async () => {
    const { lotId } = await listLot(stack);
    const ada = await bidder();
    const { bid, state } = await client.placeBid(
      { lotId, bidId: randomUUID(), amount: eur(10_00n) },
      ada.options,
    );
    expect(bid).toMatchObject({ lotId, bidderId: ada.userId, amount: { amountMinor: 10_00n } });
    expect(state).toMatchObject({
      bidCount: 1,
      phase: LotPhase.OPEN,
      minimumNextBid: { amountMinor: 11_00n },
    });
    expect(state?.version).toBe(bid?.sequence);
    await expect
      .poll(
        async () => (await stack.catalogClient.getLot({ id: lotId })).lot?.highestBid?.amountMinor,
      )
      .toBe(10_00n);
  });

  it("refuses a too-low bid with the minimum in a BidRejection detail", async () => {
    const { lotId } = await listLot(stack);
    await client.placeBid(
      { lotId, bidId: randomUUID(), amount: eur(20_00n) },
      (await bidder()).options,
    );
    const err = await connectFailure(
      client.placeBid(
        { lotId, bidId: randomUUID(), amount: eur(20_50n) },
        (await bidder()).options,
      ),
    );
    expect(err.code).toBe(Code.FailedPrecondition);
    const [rejection] = err.findDetails(BidRejectionSchema);
    expect(rejection?.reason).toBe(BidRejection_Reason.TOO_LOW);
    expect(rejection?.minimumNextBid?.amountMinor).toBe(21_00n);
  });

  it("counts a bid id sent twice once, and refuses it for a different bid", async () => {
    const { lotId } = await listLot(stack);
    const ada = await bidder();
    const bidId = randomUUID();
    const [first, second] = await Promise.all([
      client.placeBid({ lotId, bidId, amount: eur(15_00n) }, ada.options),
      client.placeBid({ lotId, bidId, amount: eur(15_00n) }, ada.options),
    ]);
    expect(second.bid?.sequence).toBe(first.bid?.sequence);
    const third = await client.placeBid({ lotId, bidId, amount: eur(15_00n) }, ada.options);
    expect(third.bid?.sequence).toBe(first.bid?.sequence);
    expect((await client.getLotState({ lotId })).state?.bidCount).toBe(1);
    const reused = await connectFailure(
      client.placeBid({ lotId, bidId, amount: eur(99_00n) }, ada.options),
    );
    expect(reused.code).toBe(Code.AlreadyExists);
  });

  it("answers bad input with the right code and never crashes", async () => {
    const { lotId, sellerId } = await listLot(stack);
    const ada = await bidder();
    const seller = await bidder(sellerId);
    const cases: Array<[() => Promise<unknown>, Code]> = [
      [
        () =>
          client.placeBid({ lotId: randomUUID(), bidId: "b", amount: eur(10_00n) }, ada.options),
        Code.NotFound,
      ],
      [
        () =>
          client.placeBid({ lotId: "gavel.lot.*", bidId: "b", amount: eur(10_00n) }, ada.options),
        Code.InvalidArgument,
      ],
      [
        () => client.placeBid({ lotId, bidId: "b", amount: eur(-5n) }, ada.options),
        Code.InvalidArgument,
      ],
      [
        () =>
          client.placeBid(
            { lotId, bidId: "b", amount: { currencyCode: "XYZ", amountMinor: 10_00n } },
            ada.options,
          ),
        Code.InvalidArgument,
      ],
      [
        () =>
          client.placeBid(
            { lotId, bidId: "b", amount: { currencyCode: "USD", amountMinor: 10_00n } },
            ada.options,
          ),
        Code.InvalidArgument,
      ],
      [
        () => client.placeBid({ lotId, bidId: "", amount: eur(10_00n) }, ada.options),
        Code.InvalidArgument,
      ],
      [() => client.placeBid({ lotId, bidId: "b" }, ada.options), Code.InvalidArgument],
      [() => client.placeBid({ lotId, bidId: "b", amount: eur(10_00n) }), Code.Unauthenticated],
      [
        () =>
          client.placeBid(
            { lotId, bidId: "b", amount: eur(10_00n) },
            { headers: { authorization: "Bearer x.y.z" } },
          ),
        Code.Unauthenticated,
      ],
      [
        () => client.placeBid({ lotId, bidId: "b", amount: eur(10_00n) }, seller.options),
        Code.PermissionDenied,
      ],
      [() => client.getLotState({ lotId: randomUUID() }), Code.NotFound],
      [() => client.listBids({ lotId, pageToken: "nonsense" }), Code.InvalidArgument],
    ];
    for (const [call, code] of cases) expect((await connectFailure(call())).code).toBe(code);
    expect((await client.getLotState({ lotId })).state?.bidCount).toBe(0);
  });

  it("refuses a non-integer or negative amount sent as JSON with INVALID_ARGUMENT", async () => {
    const { lotId } = await listLot(stack);
    const ada = await bidder();
    for (const amountMinor of ["12.5", "-1", "1e3x"]) {
      const response = await rawH2Request(
        stack.bidding[0]!.rpcUrl,
        "/gavel.bidding.v1.BiddingService/PlaceBid",
        JSON.stringify({ lotId, bidId: "b1", amount: { currencyCode: "EUR", amountMinor } }),
        {
          "content-type": "application/json",
          "connect-protocol-version": "1",
          ...ada.options.headers,
        },
      );
      expect(response.status).toBe(400);
      expect((JSON.parse(response.body) as { code: string }).code).toBe("invalid_argument");
    }
    expect((await client.getLotState({ lotId })).state?.bidCount).toBe(0);
  });

  it("pages through the bid history newest first", async () => {
    const { lotId } = await listLot(stack);
    const amounts = [10_00n, 11_00n, 12_00n, 13_00n, 14_00n];
    for (const amount of amounts)
      await client.placeBid(
        { lotId, bidId: randomUUID(), amount: eur(amount) },
        (await bidder()).options,
      );
    const first = await client.listBids({ lotId, pageSize: 3 });
    const second = await client.listBids({ lotId, pageSize: 3, pageToken: first.nextPageToken });
    expect([...first.bids, ...second.bids].map((b) => b.amount?.amountMinor)).toEqual(
      [...amounts].reverse(),
    );
    expect(second.nextPageToken).toBe("");
  });
});

describe("closing and anti-sniping", () => {
  it("extends the end for a bid in the window, closes once, and refuses bids after", async () => {
    const { lotId } = await listLot(stack, { endsInMs: 1500, snipeWindowSeconds: 2 });
    const ada = await bidder();
    const { bid, state } = await client.placeBid(
      { lotId, bidId: randomUUID(), amount: eur(10_00n) },
      ada.options,
    );
    expect(bid?.extendedLot).toBe(true);
    await expect
      .poll(async () => (await client.getLotState({ lotId })).state?.phase, { timeout: 10_000 })
      .toBe(LotPhase.CLOSED);
    const closed = (await client.getLotState({ lotId })).state!;
    expect(closed.winnerId).toBe(ada.userId);
    expect(Number(closed.endsAt?.seconds)).toBe(Number(state?.endsAt?.seconds));
    const late = await connectFailure(
      client.placeBid(
        { lotId, bidId: randomUUID(), amount: eur(50_00n) },
        (await bidder()).options,
      ),
    );
    expect(late.findDetails(BidRejectionSchema)[0]?.reason).toBe(BidRejection_Reason.LOT_ENDED);
    await expect
      .poll(async () => (await stack.catalogClient.getLot({ id: lotId })).lot?.status)
      .toBe(LotStatus.CLOSED);
  });

  it("closes a lot below its reserve unsold", async () => {
    const { lotId } = await listLot(stack, {
      endsInMs: 1500,
      snipeWindowSeconds: 1,
      reservePrice: eur(100_00n),
    });
    await client.placeBid(
      { lotId, bidId: randomUUID(), amount: eur(10_00n) },
      (await bidder()).options,
    );
    await expect
      .poll(async () => (await client.getLotState({ lotId })).state?.phase, { timeout: 10_000 })
      .toBe(LotPhase.CLOSED);
    const state = (await client.getLotState({ lotId })).state!;
    expect([state.winnerId, state.reserveMet]).toEqual(["", false]);
  });
});

describe("watching and restarts", () => {
  it("replays after a sequence and then follows live, with no gap and no duplicate", async () => {
    const { lotId } = await listLot(stack);
    const first = await client.placeBid(
      { lotId, bidId: randomUUID(), amount: eur(10_00n) },
      (await bidder()).options,
    );
    const abort = new AbortController();
    const seen: bigint[] = [];
    const watching = (async () => {
      for await (const message of client.watchLot(
        { lotId, afterSequence: first.bid!.sequence },
        { signal: abort.signal },
      )) {
        seen.push(message.sequence);
        if (seen.length === 2) abort.abort();
      }
    })().catch((err: unknown) => {
      if (ConnectError.from(err).code !== Code.Canceled) throw err;
    });
    const second = await client.placeBid(
      { lotId, bidId: randomUUID(), amount: eur(11_00n) },
      (await bidder()).options,
    );
    const third = await client.placeBid(
      { lotId, bidId: randomUUID(), amount: eur(12_00n) },
      (await bidder()).options,
    );
    await watching;
    expect(seen).toEqual([second.bid!.sequence, third.bid!.sequence]);
  });

  it("rebuilds every lot's state from the stream after a restart", async () => {
    const { lotId } = await listLot(stack);
    await client.placeBid(
      { lotId, bidId: randomUUID(), amount: eur(10_00n) },
      (await bidder()).options,
    );
    const before = (await client.getLotState({ lotId })).state;
    const fresh = await startService("bidding", stack.env);
    try {
      const after = (await connectClient(BiddingService, fresh.rpcUrl).getLotState({ lotId }))
        .state;
      expect(after).toEqual(before);
    } finally {
      expect(await fresh.stop()).toBe(0);
    }
  });
});
