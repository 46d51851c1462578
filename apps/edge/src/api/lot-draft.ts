import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { LotDraftSchema, type LotDraft } from "@gavel/proto/catalog/v1/catalog";
import type { z } from "zod";
import type { CreateLotBody, MoneyInput } from "./schemas.ts";

/** A validated POST /v1/lots body (or import line) as the catalog's LotDraft. */
export function draftFrom(body: z.infer<typeof CreateLotBody>): LotDraft {
  const money = (m: z.infer<typeof MoneyInput>) => ({
    currencyCode: m.currency,
    amountMinor: BigInt(m.amount_minor),
  });
  return create(LotDraftSchema, {
    title: body.title,
    description: body.description,
    startingPrice: money(body.starting_price),
    ...(body.reserve_price ? { reservePrice: money(body.reserve_price) } : {}),
    endsAt: timestampFromDate(new Date(body.ends_at)),
    snipeWindowSeconds: body.snipe_window_seconds,
  });
}
