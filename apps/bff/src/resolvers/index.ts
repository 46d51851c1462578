import type { Resolvers } from "../gen/resolvers-types.ts";
import { traceRootFields } from "../graphql-tracing.ts";
import { DateTime, MinorUnits } from "../scalars.ts";
import { Bid } from "./bid.ts";
import { Invoice } from "./invoice.ts";
import { Lot } from "./lot.ts";
import { cancelLot, createLot } from "./lot-mutations.ts";
import { Money } from "./money.ts";
import { placeBid } from "./place-bid.ts";
import { Query } from "./query.ts";
import { signIn } from "./sign-in.ts";
import { User } from "./user.ts";
import { Viewer, ViewerBid } from "./viewer.ts";
import { unwatchLot, watchLot } from "./watch-lot.ts";

/**
 * Every resolver. Union results carry their __typename, so Apollo's default type
 * resolution picks the member; fields named as in the service's message resolve by name.
 */
export const resolvers: Resolvers = {
  // Root fields get spans; see graphql-tracing.ts.
  Query: traceRootFields("Query", Query),
  Mutation: traceRootFields("Mutation", {
    signIn,
    placeBid,
    createLot,
    cancelLot,
    watchLot,
    unwatchLot,
  }),
  Lot,
  Bid,
  Invoice,
  User,
  Viewer,
  ViewerBid,
  Money,
  MinorUnits,
  DateTime,
};
