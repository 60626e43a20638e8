/**
 * Money is always an integer number of minor units (cents, pence). Never a float amount.
 *
 * Rounding rule (the one rule used everywhere): a fractional amount of minor units is rounded
 * half away from zero, once, at the point where a line's tax or percent discount is computed.
 * Totals are sums of already-rounded parts, so a receipt always adds up to the cent.
 */
export type Money = number;

/** True when `value` is a safe integer, i.e. a valid amount of minor units. */
export function isMoney(value: unknown): value is Money {
  return typeof value === "number" && Number.isSafeInteger(value);
}

/**
 * Divides `numerator` by `denominator` (both integers, denominator > 0) and rounds half away from
 * zero. Exact for every safe-integer input: it works on BigInt internally.
 */
export function divideRounded(numerator: number, denominator: number): number {
  const n = BigInt(numerator);
  const d = BigInt(denominator);
  const negative = n < 0n;
  const abs = negative ? -n : n;
  const q = abs / d;
  const r = abs % d;
  const rounded = r * 2n >= d ? q + 1n : q;
  return Number(negative ? -rounded : rounded);
}

/** Applies a rate given in basis points (1 bp = 0.01 %) to an amount, with the rounding rule. */
export function applyBasisPoints(amount: Money, basisPoints: number): Money {
  return divideRounded(amount * basisPoints, 10_000);
}
