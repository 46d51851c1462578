import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { KV } from "@nats-io/kv";
import { VersionConflictError, type LotStream } from "@gavel/lot-events";
import { isSafeToken } from "@gavel/nats";
import type { Lot, LotDraft } from "@gavel/proto/catalog/v1/catalog";
import { LotEventSchema } from "@gavel/proto/lot/v1/lot_events";
import { newLotId } from "./lot-id.ts";
import type { LotReadModel } from "./lot-read-model.ts";
import { checkDraft, DEFAULT_SNIPE_WINDOW_SECONDS } from "./lot-rules.ts";

export interface LotCreationDeps {
  stream: LotStream;
  model: LotReadModel;
  /** Request ids to the lot id they created, with a TTL. */
  requests: KV;
  minLotSeconds: number;
}

/**
 * Lists a lot: its LotOpened event is the first of its stream (expected version 0),
 * and the read model is refreshed before answering so a GET right after sees it.
 * With a request id, a retry finds the lot id the first call reserved and finishes or
 * returns that lot instead of creating another.
 */
export async function createLot(
  deps: LotCreationDeps,
  sellerId: string,
  draft: LotDraft | undefined,
  requestId: string,
  now = new Date(),
): Promise<Lot> {
  const v = checkDraft(draft, now, deps.minLotSeconds);
  if (requestId !== "")
    v.check(isSafeToken(requestId), "request_id", "must be 1 to 64 of A-Z, a-z, 0-9, _ and -");
  v.throwIfAny();
  const d = draft!;

  let lotId = newLotId(now.getTime());
  if (requestId !== "") {
    const reserved = await reserveLotId(deps.requests, `${sellerId}.${requestId}`, lotId);
    if (reserved !== lotId) {
      const existing = await deps.model.refresh(reserved);
      if (existing) return existing;
      lotId = reserved; // reserved by a call that died before appending: finish its work
    }
  }

  const opened = create(LotEventSchema, {
    lotId,
    occurredAt: timestampFromDate(now),
    kind: {
      case: "opened",
      value: {
        sellerId,
        title: d.title.trim(),
        description: d.description,
        startingPrice: d.startingPrice,
        ...(d.reservePrice && d.reservePrice.amountMinor > 0n
          ? { reservePrice: d.reservePrice }
          : {}),
        endsAt: d.endsAt,
        snipeWindowSeconds: d.snipeWindowSeconds || DEFAULT_SNIPE_WINDOW_SECONDS,
      },
    },
  });
  let appendedAt = 1; // opened already (a retry): the lot's first event
  try {
    const appended = await deps.stream.append(opened, {
      expectedVersion: 0,
      msgId: `open:${lotId}`,
    });
    appendedAt = appended.sequence;
  } catch (err) {
    if (!(err instanceof VersionConflictError)) throw err;
  }
  // Read back at least what was appended: the read may be answered by a replica of a
  // clustered stream that has not applied it yet (the fault suite met that).
  const lot = await deps.model.refresh(lotId, appendedAt);
  if (!lot) throw new Error(`lot ${lotId} was appended but cannot be read back`);
  return lot;
}

/** The lot id stored under the key: ours if we stored it first. */
async function reserveLotId(requests: KV, key: string, lotId: string): Promise<string> {
  try {
    await requests.create(key, lotId);
    return lotId;
  } catch (err) {
    const entry = await requests.get(key);
    if (entry?.operation !== "PUT") throw err;
    return entry.string();
  }
}
