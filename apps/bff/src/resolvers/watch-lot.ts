import type { MutationResolvers } from "../gen/resolvers-types.ts";
import { requireCaller } from "../authentication.ts";
import { problemFor } from "../connect-errors.ts";
import { onBehalfOf } from "../upstream.ts";

export const watchLot: MutationResolvers["watchLot"] = async (_, { lotId }, ctx) => {
  requireCaller(ctx.caller);
  try {
    const { lot } = await ctx.upstream.catalog.addToWatchlist({ lotId }, onBehalfOf(ctx.scope));
    return { __typename: "LotWatched", lot: lot! };
  } catch (err) {
    return problemFor(err, ["NotAllowed", "NotFound", "ValidationFailed"]);
  }
};

export const unwatchLot: MutationResolvers["unwatchLot"] = async (_, { lotId }, ctx) => {
  requireCaller(ctx.caller);
  try {
    const { lot } = await ctx.upstream.catalog.removeFromWatchlist(
      { lotId },
      onBehalfOf(ctx.scope),
    );
    return { __typename: "LotUnwatched", lot: lot! };
  } catch (err) {
    return problemFor(err, ["NotFound", "ValidationFailed"]);
  }
};
