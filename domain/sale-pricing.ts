import type { DiscountKind } from "./master-data.ts";
import { applyBasisPoints, type Money } from "./money.ts";
import { taxForAmount } from "./tax.ts";

/**
 * How a sale's amounts are computed. This is the ONE rounding order of the project:
 *
 * 1. Line gross = unit price x quantity (negative for return lines).
 * 2. Line discount: percent discounts on a line add up (in basis points, capped at 100 %) and are
 *    applied once to the line gross, rounded half away from zero; amount discounts are added on
 *    top; the line discount never exceeds the line gross. Return lines take no discounts.
 * 3. Transaction (sale) discount: computed the same way on the sum of the sale lines after their
 *    line discounts, then allocated to those lines in proportion to that amount by the largest
 *    remainder method (ties go to the earlier line), so the parts add up to the cent.
 * 4. Per line: amount = gross - line discount - allocated sale discount (shelf-price terms); tax
 *    is computed on that amount and rounded per line (see tax.ts).
 * 5. Sale totals are sums of the rounded line parts, so a receipt always adds up.
 *
 * Voided lines count as zero everywhere.
 */
export type DiscountTerm = {
  readonly kind: DiscountKind;
  /** Basis points for `percent`, minor units for `amount`. */
  readonly value: number;
};

export type PricedLineInput = {
  readonly quantity: number;
  readonly unitPrice: Money;
  readonly taxRateBp: number;
  /** `return` lines are negative amounts. */
  readonly kind: "sale" | "return";
  readonly voided: boolean;
  readonly discounts: readonly DiscountTerm[];
};

export type LineAmounts = {
  /** unitPrice x quantity, negative for returns; 0 when voided. */
  readonly gross: Money;
  readonly lineDiscount: Money;
  /** This line's share of the transaction discount. */
  readonly saleDiscount: Money;
  /** gross - lineDiscount - saleDiscount, in shelf-price terms. */
  readonly amount: Money;
  readonly tax: Money;
  /** What the customer pays for this line, tax included. */
  readonly total: Money;
};

export type SaleTotals = {
  /** Sum of line gross amounts (returns negative). */
  readonly gross: Money;
  readonly lineDiscount: Money;
  readonly saleDiscount: Money;
  /** lineDiscount + saleDiscount. */
  readonly discount: Money;
  readonly tax: Money;
  /** What the customer pays (negative: a refund is due). */
  readonly total: Money;
};

export type SaleAmounts = {
  readonly lines: readonly LineAmounts[];
  readonly totals: SaleTotals;
};

/**
 * Discount on a non-negative `base`: `round(base x min(10000, sum of percent bp) / 10000)` plus the
 * sum of amount discounts, never more than `base`.
 */
export function discountOn(base: Money, terms: readonly DiscountTerm[]): Money {
  if (base <= 0 || terms.length === 0) return 0;
  let percentBp = 0;
  let amount = 0;
  for (const term of terms) {
    if (term.kind === "percent") percentBp += term.value;
    else amount += term.value;
  }
  const fromPercent = applyBasisPoints(base, Math.min(10_000, percentBp));
  return Math.min(base, fromPercent + amount);
}

/**
 * Splits `total` over `weights` (all >= 0) in proportion, by the largest remainder method.
 * The result sums to `total` exactly; ties in remainder go to the earlier index.
 */
export function allocateByLargestRemainder(total: Money, weights: readonly Money[]): Money[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  if (sum <= 0 || total === 0) return weights.map(() => 0);
  const bigTotal = BigInt(total);
  const bigSum = BigInt(sum);
  const shares: bigint[] = [];
  const remainders: { index: number; remainder: bigint }[] = [];
  let allocated = 0n;
  weights.forEach((weight, index) => {
    const product = bigTotal * BigInt(weight);
    const share = product / bigSum;
    shares.push(share);
    allocated += share;
    remainders.push({ index, remainder: product % bigSum });
  });
  let leftover = bigTotal - allocated;
  remainders.sort((a, b) =>
    a.remainder === b.remainder ? a.index - b.index : a.remainder > b.remainder ? -1 : 1,
  );
  for (const { index } of remainders) {
    if (leftover <= 0n) break;
    shares[index] = (shares[index] ?? 0n) + 1n;
    leftover -= 1n;
  }
  return shares.map((share) => Number(share));
}

/** Computes every line's amounts and the sale totals, following the rounding order above. */
export function priceSale(
  lines: readonly PricedLineInput[],
  saleDiscounts: readonly DiscountTerm[],
  pricesIncludeTax: boolean,
): SaleAmounts {
  const gross = lines.map((line) =>
    line.voided ? 0 : line.unitPrice * line.quantity * (line.kind === "return" ? -1 : 1),
  );
  const lineDiscount = lines.map((line, i) =>
    line.voided || line.kind === "return" ? 0 : discountOn(gross[i] ?? 0, line.discounts),
  );
  const afterLine = lines.map((line, i) =>
    line.voided || line.kind === "return" ? 0 : (gross[i] ?? 0) - (lineDiscount[i] ?? 0),
  );
  const base = afterLine.reduce((a, b) => a + b, 0);
  const saleDiscountTotal = discountOn(base, saleDiscounts);
  const allocated = allocateByLargestRemainder(saleDiscountTotal, afterLine);

  const lineAmounts: LineAmounts[] = lines.map((line, i) => {
    const g = gross[i] ?? 0;
    const ld = lineDiscount[i] ?? 0;
    const sd = allocated[i] ?? 0;
    const amount = g - ld - sd;
    const { tax, total } = line.voided
      ? { tax: 0, total: 0 }
      : taxForAmount(amount, line.taxRateBp, pricesIncludeTax);
    return { gross: g, lineDiscount: ld, saleDiscount: sd, amount, tax, total };
  });

  let totalGross = 0;
  let totalLineDiscount = 0;
  let totalSaleDiscount = 0;
  let totalTax = 0;
  let total = 0;
  for (const amounts of lineAmounts) {
    totalGross += amounts.gross;
    totalLineDiscount += amounts.lineDiscount;
    totalSaleDiscount += amounts.saleDiscount;
    totalTax += amounts.tax;
    total += amounts.total;
  }
  return {
    lines: lineAmounts,
    totals: {
      gross: totalGross,
      lineDiscount: totalLineDiscount,
      saleDiscount: totalSaleDiscount,
      discount: totalLineDiscount + totalSaleDiscount,
      tax: totalTax,
      total,
    },
  };
}
