import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  allocateByLargestRemainder,
  discountOn,
  divideRounded,
  type PricedLineInput,
  priceSale,
} from "../../domain/index.ts";
import { propertyRuns } from "./domain-arbitraries.ts";

const discountArb = fc.oneof(
  fc.record({ kind: fc.constant("percent" as const), value: fc.integer({ min: 1, max: 10_000 }) }),
  fc.record({ kind: fc.constant("amount" as const), value: fc.integer({ min: 1, max: 50_000 }) }),
);

const lineArb: fc.Arbitrary<PricedLineInput> = fc.record({
  quantity: fc.integer({ min: 1, max: 50 }),
  unitPrice: fc.oneof(fc.constantFrom(1, 3, 99, 333, 999), fc.integer({ min: 0, max: 100_000 })),
  taxRateBp: fc.oneof(
    fc.constantFrom(0, 250, 770, 810, 2000, 2500),
    fc.integer({ min: 0, max: 10_000 }),
  ),
  kind: fc.oneof(
    { weight: 4, arbitrary: fc.constant("sale" as const) },
    fc.constant("return" as const),
  ),
  voided: fc.oneof({ weight: 5, arbitrary: fc.constant(false) }, fc.constant(true)),
  discounts: fc.array(discountArb, { maxLength: 3 }),
});

const saleArb = fc.record({
  lines: fc.array(lineArb, { maxLength: 12 }),
  saleDiscounts: fc.array(discountArb, { maxLength: 3 }),
});

describe("sale pricing (property)", () => {
  it("exclusive prices: total = sum of lines - discounts + tax, per line and in total", () => {
    fc.assert(
      fc.property(saleArb, ({ lines, saleDiscounts }) => {
        const { lines: amounts, totals } = priceSale(lines, saleDiscounts, false);
        expect(totals.total).toBe(totals.gross - totals.discount + totals.tax);
        amounts.forEach((line, i) => {
          const input = lines[i]!;
          expect(line.total).toBe(line.gross - line.lineDiscount - line.saleDiscount + line.tax);
          expect(line.tax).toBe(divideRounded(line.amount * input.taxRateBp, 10_000));
        });
      }),
      { numRuns: propertyRuns },
    );
  });

  it("inclusive prices: total = gross after discounts and the included tax is consistent", () => {
    fc.assert(
      fc.property(saleArb, ({ lines, saleDiscounts }) => {
        const { lines: amounts, totals } = priceSale(lines, saleDiscounts, true);
        expect(totals.total).toBe(totals.gross - totals.discount);
        amounts.forEach((line, i) => {
          const rate = lines[i]!.taxRateBp;
          expect(line.total).toBe(line.amount);
          expect(line.tax).toBe(divideRounded(line.amount * rate, 10_000 + rate));
          // the extracted tax and the net it leaves agree to within rounding of one cent
          const net = line.amount - line.tax;
          expect(Math.abs(net * rate - line.tax * 10_000)).toBeLessThanOrEqual(10_000 + rate);
        });
        expect(totals.tax).toBe(amounts.reduce((sum, line) => sum + line.tax, 0));
      }),
      { numRuns: propertyRuns },
    );
  });

  it("discounts never exceed what they apply to and the transaction discount is allocated exactly", () => {
    fc.assert(
      fc.property(saleArb, fc.boolean(), ({ lines, saleDiscounts }, inclusive) => {
        const { lines: amounts, totals } = priceSale(lines, saleDiscounts, inclusive);
        const base = amounts.reduce(
          (sum, line, i) =>
            lines[i]!.kind === "sale" ? sum + line.gross - line.lineDiscount : sum,
          0,
        );
        expect(totals.saleDiscount).toBe(discountOn(base, saleDiscounts));
        amounts.forEach((line, i) => {
          if (lines[i]!.kind === "sale") {
            expect(line.amount).toBeGreaterThanOrEqual(0);
          } else {
            expect(line.lineDiscount + line.saleDiscount).toBe(0);
          }
        });
      }),
      { numRuns: propertyRuns },
    );
  });

  it("largest remainder allocation sums to the total and stays within a cent of the exact share", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 1_000_000 }), { minLength: 1, maxLength: 20 }),
        fc.integer({ min: 0, max: 1_000_000 }),
        (weights, wanted) => {
          const sum = weights.reduce((a, b) => a + b, 0);
          const total = Math.min(wanted, sum);
          const shares = allocateByLargestRemainder(total, weights);
          expect(shares.reduce((a, b) => a + b, 0)).toBe(sum === 0 ? 0 : total);
          shares.forEach((share, i) => {
            const exact = sum === 0 ? 0 : (total * weights[i]!) / sum;
            expect(Math.abs(share - exact)).toBeLessThan(1);
          });
        },
      ),
      { numRuns: propertyRuns },
    );
  });
});
