import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { LotDraftSchema } from "@gavel/proto/catalog/v1/catalog";
import type { CreateLotInput, MutationResolvers } from "../gen/resolvers-types.ts";
import { requireCaller } from "../authentication.ts";
import { problemFor } from "../connect-errors.ts";
import { moneyMessage } from "../money.ts";
import { onBehalfOf } from "../upstream.ts";

export const createLot: MutationResolvers["createLot"] = async (_, { input }, ctx) => {
  requireCaller(ctx.caller);
  try {
    const { lot } = await ctx.upstream.catalog.createLot(
      { lot: draftFrom(input), requestId: input.requestId ?? "" },
      onBehalfOf(ctx.scope),
    );
    return { __typename: "LotCreated", lot: lot! };
  } catch (err) {
    const problem = problemFor(err, ["ValidationFailed"]);
    // The catalog names fields inside its request ("lot.title"); the client sent input.title.
    const fields = problem.fields.map((f) => ({ ...f, field: f.field.replace(/^lot\./, "") }));
    return { ...problem, fields };
  }
};

export const cancelLot: MutationResolvers["cancelLot"] = async (_, { id, reason }, ctx) => {
  requireCaller(ctx.caller);
  try {
    const { lot } = await ctx.upstream.catalog.cancelLot(
      { id, reason: reason ?? "" },
      onBehalfOf(ctx.scope),
    );
    return { __typename: "LotCancelled", lot: lot! };
  } catch (err) {
    return problemFor(err, ["NotAllowed", "NotFound", "ValidationFailed"]);
  }
};

function draftFrom(input: CreateLotInput) {
  return create(LotDraftSchema, {
    title: input.title,
    description: input.description,
    startingPrice: moneyMessage(input.startingPrice),
    ...(input.reservePrice ? { reservePrice: moneyMessage(input.reservePrice) } : {}),
    endsAt: timestampFromDate(input.endsAt),
    snipeWindowSeconds: input.snipeWindowSeconds ?? 0,
  });
}
