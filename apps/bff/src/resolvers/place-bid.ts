import type { MutationResolvers } from "../gen/resolvers-types.ts";
import { requireCaller } from "../authentication.ts";
import { problemFor } from "../connect-errors.ts";
import { moneyMessage } from "../money.ts";
import { onBehalfOf } from "../upstream.ts";

export const placeBid: MutationResolvers["placeBid"] = async (_, args, ctx) => {
  requireCaller(ctx.caller);
  try {
    const { bid, state } = await ctx.upstream.bidding.placeBid(
      { lotId: args.lotId, bidId: args.bidId, amount: moneyMessage(args.amount) },
      onBehalfOf(ctx.scope),
    );
    return {
      __typename: "BidPlaced",
      bid: bid!,
      lot: await ctx.loaders.lots.load(args.lotId),
      minimumNextBid: state?.minimumNextBid ?? null,
    };
  } catch (err) {
    return problemFor(err, [
      "BidTooLow",
      "LotNotOpen",
      "AlreadyHighestBidder",
      "NotAllowed",
      "NotFound",
      "ValidationFailed",
    ]);
  }
};
