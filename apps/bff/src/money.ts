import { create } from "@bufbuild/protobuf";
import { MoneySchema, type Money } from "@gavel/proto/common/v1/money";
import type { MoneyInput } from "./gen/resolvers-types.ts";

/** Minor units as a decimal string with two places: 1250n is "12.50". */
export function decimalAmount(amountMinor: bigint): string {
  const sign = amountMinor < 0n ? "-" : "";
  const abs = amountMinor < 0n ? -amountMinor : amountMinor;
  return `${sign}${abs / 100n}.${String(abs % 100n).padStart(2, "0")}`;
}

export function moneyMessage(input: MoneyInput): Money {
  return create(MoneySchema, { currencyCode: input.currency, amountMinor: input.amountMinor });
}
