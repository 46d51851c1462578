import { create } from "@bufbuild/protobuf";
import { MoneySchema, type Money } from "@gavel/proto/common/v1/money";
import type { MoneyInput } from "./gen/resolvers-types.ts";

export function moneyMessage(input: MoneyInput): Money {
  return create(MoneySchema, { currencyCode: input.currency, amountMinor: input.amountMinor });
}
