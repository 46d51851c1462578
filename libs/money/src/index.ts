export { decimalAmount } from "./decimal-amount.ts";
