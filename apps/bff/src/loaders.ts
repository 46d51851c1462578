import { Code, ConnectError } from "@connectrpc/connect";
import DataLoader from "dataloader";
import type { Lot } from "@gavel/proto/catalog/v1/catalog";
import type { User } from "@gavel/proto/identity/v1/identity";
import type { Invoice } from "@gavel/proto/settlement/v1/settlement";
import { onBehalfOf, type RequestScope, type Upstream } from "./upstream.ts";

/**
 * Per-request loaders: every id asked for while a request resolves one level of the
 * graph goes to its service in one batched call, each id once. Made per request, so
 * nothing cached outlives it and each call carries its caller's token.
 */
export interface Loaders {
  users: DataLoader<string, User | null>;
  lots: DataLoader<string, Lot | null>;
  /** By lot id; null when the lot has no invoice or the caller may not read it. */
  invoices: DataLoader<string, Invoice | null>;
}

/** What BatchGetUsers and BatchGetLots accept in one call. */
const MAX_BATCH = 100;

export function createLoaders(upstream: Upstream, scope: RequestScope, batching = true): Loaders {
  const options = { maxBatchSize: MAX_BATCH, batch: batching };
  return {
    users: new DataLoader(async (ids) => {
      const { users } = await upstream.identity.batchGetUsers({ ids: [...ids] }, onBehalfOf(scope));
      return inOrder(ids, users);
    }, options),
    lots: new DataLoader(async (ids) => {
      const { lots } = await upstream.catalog.batchGetLots({ ids: [...ids] }, onBehalfOf(scope));
      return inOrder(ids, lots);
    }, options),
    // Settlement has no batch read: one GetInvoice per lot, all at once, each lot once.
    invoices: new DataLoader(
      (lotIds) =>
        Promise.all(
          lotIds.map((lotId) =>
            upstream.settlement.getInvoice({ lotId }, onBehalfOf(scope)).then(
              ({ invoice }) => invoice ?? null,
              (err: unknown) => (isNoInvoice(err) ? null : toError(err)),
            ),
          ),
        ),
      options,
    ),
  };
}

/** No invoice for this caller: none issued (yet), or not theirs to read. Not an error. */
function isNoInvoice(err: unknown): boolean {
  return (
    err instanceof ConnectError &&
    (err.code === Code.NotFound || err.code === Code.PermissionDenied)
  );
}

/** A DataLoader fails one key by answering an Error in its place. */
function toError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

/** The services leave unknown ids out; a loader must answer each key in order. */
function inOrder<T extends { id: string }>(ids: readonly string[], found: T[]): Array<T | null> {
  const byId = new Map(found.map((item) => [item.id, item]));
  return ids.map((id) => byId.get(id) ?? null);
}
