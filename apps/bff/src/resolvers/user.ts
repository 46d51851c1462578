import { timestampDate } from "@bufbuild/protobuf/wkt";
import { GraphQLError } from "graphql";
import type { User as UserMessage } from "@gavel/proto/identity/v1/identity";
import type { UserResolvers } from "../gen/resolvers-types.ts";
import type { GraphQLContext } from "../context.ts";

export const User: UserResolvers = {
  email: (user) => user.email || null,
  createdAt: (user) => (user.createdAt ? timestampDate(user.createdAt) : null),
};

/** A user another record points at (a seller, a bidder): missing means broken data. */
export async function existingUser(ctx: GraphQLContext, id: string): Promise<UserMessage> {
  const user = await ctx.loaders.users.load(id);
  if (!user) throw new GraphQLError(`user ${id} not found`, { extensions: { code: "NOT_FOUND" } });
  return user;
}
