import { create } from "@bufbuild/protobuf";
import { decimalAmount } from "@gavel/money";
import { type Money, MoneySchema } from "@gavel/proto/common/v1/money";

/**
 * Currencies Gavel accepts. All have two decimal places, which the increment table
 * in bid-rules and the fee tiers in settlement assume.
 */
export const SUPPORTED_CURRENCIES = ["EUR", "USD", "GBP", "CHF"] as const;
export type Currency = (typeof SUPPORTED_CURRENCIES)[number];

export function isSupportedCurrency(code: string): code is Currency {
  return (SUPPORTED_CURRENCIES as readonly string[]).includes(code);
}

/** An amount of one currency in minor units, as the domain code handles it. */
export interface Amount {
  currency: string;
  minor: bigint;
}

export function toMoney(amount: Amount): Money {
  return create(MoneySchema, { currencyCode: amount.currency, amountMinor: amount.minor });
}

export function fromMoney(money: Money | undefined): Amount | undefined {
  return money ? { currency: money.currencyCode, minor: money.amountMinor } : undefined;
}

/** "123.45 EUR", for messages meant for people. */
export function formatAmount({ currency, minor }: Amount): string {
  return `${decimalAmount(minor)} ${currency}`;
}
