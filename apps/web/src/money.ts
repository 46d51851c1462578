import { decimalAmount } from "@gavel/money";

/** An amount as the APIs carry it: minor units (cents) as a string of digits. */
export interface Money {
  currency: string;
  amountMinor: string;
}

/** The push protocol's event JSON names the currency field after the proto. */
export interface ProtoMoney {
  currencyCode: string;
  amountMinor: string;
}

export const fromProto = (m: ProtoMoney): Money => ({
  currency: m.currencyCode,
  amountMinor: m.amountMinor,
});

/** "12.50 EUR" style, without floating point (minor units may exceed 2^53). */
export function formatMoney(m: Money): string {
  return `${decimalAmount(BigInt(m.amountMinor), { grouped: true })} ${m.currency}`;
}

/** "12", "12.5" or "12.50" to minor units; undefined for anything else. */
export function parseAmount(text: string): string | undefined {
  const match = /^\s*(\d{1,15})(?:[.,](\d{1,2}))?\s*$/.exec(text);
  if (!match) return undefined;
  const cents = (match[2] ?? "").padEnd(2, "0");
  return (BigInt(match[1]!) * 100n + BigInt(cents)).toString();
}

/** Minor units back to what a person types in the bid field. */
export function toDecimal(amountMinor: string): string {
  return decimalAmount(BigInt(amountMinor));
}

export const compareMoney = (a: Money, b: Money): number => {
  const d = BigInt(a.amountMinor) - BigInt(b.amountMinor);
  return d > 0n ? 1 : d < 0n ? -1 : 0;
};
