import type { QueryResolvers } from "../gen/resolvers-types.ts";
import { lotConnection } from "./lot-connection.ts";

export const Query: QueryResolvers = {
  lot: (_, { id }, ctx) => ctx.loaders.lots.load(id),
  lots: (_, { filter, first, after }, ctx) => lotConnection(ctx, filter ?? {}, first, after),
  viewer: (_, _args, ctx) => ctx.caller ?? null,
  user: (_, { id }, ctx) => ctx.loaders.users.load(id),
};
