import { applyBasisPoints, divideRounded, type Money } from "./money.ts";

/**
 * Tax on one line amount, rounded once (half away from zero, see money.ts).
 *
 * - Tax-inclusive prices (the shelf price already contains tax): the tax is extracted,
 *   `tax = round(gross * rate / (10000 + rate))`, and the amount the customer pays is `gross`.
 * - Tax-exclusive prices (tax is added at the till): `tax = round(net * rate / 10000)` and the
 *   customer pays `net + tax`.
 *
 * Negative amounts (return lines) are rounded symmetrically, so a full return refunds exactly
 * the tax that was charged.
 */
export type LineTax = {
  /** Tax contained in (inclusive) or added to (exclusive) the amount. */
  readonly tax: Money;
  /** What the customer pays for the line, tax included. */
  readonly total: Money;
};

/** Tax for a line whose `amount` is in shelf-price terms (after discounts). */
export function taxForAmount(amount: Money, rateBp: number, pricesIncludeTax: boolean): LineTax {
  if (pricesIncludeTax) {
    const tax = divideRounded(amount * rateBp, 10_000 + rateBp);
    return { tax, total: amount };
  }
  const tax = applyBasisPoints(amount, rateBp);
  return { tax, total: amount + tax };
}

/** True when `rateBp` is a usable tax rate: an integer from 0 to 10000 basis points (0-100 %). */
export function isTaxRateBp(rateBp: number): boolean {
  return Number.isSafeInteger(rateBp) && rateBp >= 0 && rateBp <= 10_000;
}
