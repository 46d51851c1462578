/**
 * Minor units as a decimal string with two places, without floating point (amounts may
 * exceed 2^53): 1250n is "12.50", -5n is "-0.05". `grouped` separates thousands for
 * people ("1,234.50"); APIs carry the plain form. Every supported currency has two places.
 */
export function decimalAmount(minor: bigint, options: { grouped?: boolean } = {}): string {
  const sign = minor < 0n ? "-" : "";
  const abs = minor < 0n ? -minor : minor;
  const whole = options.grouped ? (abs / 100n).toLocaleString("en") : String(abs / 100n);
  return `${sign}${whole}.${String(abs % 100n).padStart(2, "0")}`;
}
