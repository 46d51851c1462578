import type { MoneyResolvers } from "../gen/resolvers-types.ts";
import { decimalAmount } from "@gavel/money";

export const Money: MoneyResolvers = {
  currency: (money) => money.currencyCode,
  amountMinor: (money) => money.amountMinor,
  amount: (money) => decimalAmount(money.amountMinor),
};
