import type { ViewerResolvers } from "../gen/resolvers-types.ts";
import { lotConnection } from "./lot-connection.ts";
import { existingUser } from "./user.ts";

export const Viewer: ViewerResolvers = {
  user: (caller, _args, ctx) => existingUser(ctx, caller.userId),
  lots: (caller, { status, first, after }, ctx) =>
    lotConnection(ctx, { status, sellerId: caller.userId }, first, after),
};
