import { timestampDate } from "@bufbuild/protobuf/wkt";
import type { BidResolvers } from "../gen/resolvers-types.ts";
import { existingUser } from "./user.ts";

export const Bid: BidResolvers = {
  id: (bid) => bid.bidId,
  lot: (bid, _args, ctx) => ctx.loaders.lots.load(bid.lotId),
  bidder: (bid, _args, ctx) => existingUser(ctx, bid.bidderId),
  amount: (bid) => bid.amount!,
  placedAt: (bid) => (bid.placedAt ? timestampDate(bid.placedAt) : null),
};
