import { createContextKey, type Interceptor } from "@connectrpc/connect";

/** RPCs made for one GraphQL request, by procedure ("gavel.catalog.v1.CatalogService/ListLots"). */
export type UpstreamCalls = Record<string, number>;

/** Where a call finds the counter of the GraphQL request it is made for. */
export const upstreamCallsKey = createContextKey<UpstreamCalls | undefined>(undefined, {
  description: "RPCs made for the current GraphQL request",
});

/**
 * Counts every call by procedure into the counter its call options carry, so a
 * response can say what it cost upstream (a DataLoader that stops batching shows up as
 * N calls instead of one).
 */
export const countUpstreamCalls: Interceptor = (next) => (req) => {
  const calls = req.contextValues.get(upstreamCallsKey);
  if (calls) {
    const procedure = `${req.service.typeName}/${req.method.name}`;
    calls[procedure] = (calls[procedure] ?? 0) + 1;
  }
  return next(req);
};
