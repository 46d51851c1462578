import { timestampDate } from "@bufbuild/protobuf/wkt";
import type { MutationResolvers } from "../gen/resolvers-types.ts";
import { problemFor } from "../connect-errors.ts";
import { onBehalfOf } from "../upstream.ts";

export const signIn: MutationResolvers["signIn"] = async (_, { email, password }, ctx) => {
  try {
    const session = await ctx.upstream.identity.signIn({ email, password }, onBehalfOf(ctx.scope));
    return {
      __typename: "SignedIn",
      accessToken: session.accessToken,
      expiresAt: timestampDate(session.expiresAt!),
      user: session.user!,
    };
  } catch (err) {
    return problemFor(err, ["InvalidCredentials", "ValidationFailed"]);
  }
};
