import { describe, expect, it } from "vitest";
import {
  allocateByLargestRemainder,
  discountOn,
  type PricedLineInput,
  priceSale,
  taxForAmount,
} from "../../../domain/index.ts";

function line(
  unitPrice: number,
  quantity = 1,
  extra: Partial<PricedLineInput> = {},
): PricedLineInput {
  return {
    unitPrice,
    quantity,
    taxRateBp: 2000,
    kind: "sale",
    voided: false,
    discounts: [],
    ...extra,
  };
}

describe("tax", () => {
  it("extracts inclusive tax and adds exclusive tax, rounding half away from zero", () => {
    expect(taxForAmount(1000, 770, true)).toEqual({ tax: 71, total: 1000 });
    expect(taxForAmount(1000, 770, false)).toEqual({ tax: 77, total: 1077 });
    expect(taxForAmount(1250, 2000, true)).toEqual({ tax: 208, total: 1250 });
    expect(taxForAmount(-1250, 2000, true)).toEqual({ tax: -208, total: -1250 });
    expect(taxForAmount(5, 1000, false)).toEqual({ tax: 1, total: 6 });
    expect(taxForAmount(-5, 1000, false)).toEqual({ tax: -1, total: -6 });
    expect(taxForAmount(1, 2000, false)).toEqual({ tax: 0, total: 1 });
    expect(taxForAmount(13, 770, true)).toEqual({ tax: 1, total: 13 });
  });
});

describe("discounts", () => {
  it("rounds 33.33 % once on the base, half away from zero, and caps at the base", () => {
    expect(discountOn(100, [{ kind: "percent", value: 3333 }])).toBe(33);
    expect(discountOn(150, [{ kind: "percent", value: 3333 }])).toBe(50);
    expect(discountOn(3, [{ kind: "percent", value: 3333 }])).toBe(1);
    expect(
      discountOn(100, [
        { kind: "percent", value: 3333 },
        { kind: "percent", value: 3333 },
      ]),
    ).toBe(67);
    expect(discountOn(100, [{ kind: "amount", value: 500 }])).toBe(100);
    expect(
      discountOn(100, [
        { kind: "percent", value: 9000 },
        { kind: "percent", value: 9000 },
      ]),
    ).toBe(100);
    expect(discountOn(0, [{ kind: "amount", value: 5 }])).toBe(0);
  });

  it("allocates by largest remainder, ties to the earlier line, summing exactly", () => {
    expect(allocateByLargestRemainder(100, [1000, 2000])).toEqual([33, 67]);
    expect(allocateByLargestRemainder(1, [1, 1, 1])).toEqual([1, 0, 0]);
    expect(allocateByLargestRemainder(2, [1, 1, 1])).toEqual([1, 1, 0]);
    expect(allocateByLargestRemainder(10, [0, 5, 0, 5])).toEqual([0, 5, 0, 5]);
    expect(allocateByLargestRemainder(7, [0, 0])).toEqual([0, 0]);
  });
});

describe("priceSale", () => {
  it("prices one-cent lines with a 33.33 % transaction discount", () => {
    const { lines, totals } = priceSale(
      [line(1), line(1), line(1)],
      [{ kind: "percent", value: 3333 }],
      false,
    );
    expect(lines.map((l) => l.saleDiscount)).toEqual([1, 0, 0]);
    expect(lines.map((l) => l.amount)).toEqual([0, 1, 1]);
    expect(totals).toEqual({
      gross: 3,
      lineDiscount: 0,
      saleDiscount: 1,
      discount: 1,
      tax: 0,
      total: 2,
    });
  });

  it("applies line discount before the transaction discount, tax per line (exclusive, 7.7 %)", () => {
    const { lines, totals } = priceSale(
      [
        line(999, 3, { taxRateBp: 770, discounts: [{ kind: "percent", value: 3333 }] }),
        line(1, 1, { taxRateBp: 770 }),
      ],
      [{ kind: "amount", value: 100 }],
      false,
    );
    // 2997 gross, 33.33 % = 998.9 -> 999; 1998 + 1 = 1999 base; 100 split 99.95 / 0.05 -> 100 / 0
    expect(lines[0]).toEqual({
      gross: 2997,
      lineDiscount: 999,
      saleDiscount: 100,
      amount: 1898,
      tax: 146,
      total: 2044,
    });
    expect(lines[1]).toEqual({
      gross: 1,
      lineDiscount: 0,
      saleDiscount: 0,
      amount: 1,
      tax: 0,
      total: 1,
    });
    expect(totals.total).toBe(totals.gross - totals.discount + totals.tax);
  });

  it("inclusive prices: the total is the gross after discounts and tax is extracted per line", () => {
    const { lines, totals } = priceSale(
      [line(1000, 1, { taxRateBp: 770 }), line(1250, 2)],
      [{ kind: "percent", value: 1000 }],
      true,
    );
    expect(lines.map((l) => l.saleDiscount)).toEqual([100, 250]);
    expect(lines.map((l) => l.tax)).toEqual([64, 375]);
    expect(totals).toEqual({
      gross: 3500,
      lineDiscount: 0,
      saleDiscount: 350,
      discount: 350,
      tax: 439,
      total: 3150,
    });
  });

  it("return lines are negative, take no discount, and refund exactly the tax charged", () => {
    const sold = priceSale([line(1250, 1)], [], true);
    const returned = priceSale([line(1250, 1, { kind: "return" })], [], true);
    expect(returned.totals).toEqual({
      gross: -1250,
      lineDiscount: 0,
      saleDiscount: 0,
      discount: 0,
      tax: -sold.totals.tax,
      total: -1250,
    });
    const exchange = priceSale(
      [line(1000), line(500, 1, { kind: "return", discounts: [{ kind: "amount", value: 100 }] })],
      [{ kind: "percent", value: 5000 }],
      false,
    );
    expect(exchange.lines.map((l) => l.amount)).toEqual([500, -500]);
    expect(exchange.totals.total).toBe(0);
  });

  it("counts voided lines as zero", () => {
    const { lines, totals } = priceSale(
      [line(1000, 2, { voided: true }), line(300)],
      [{ kind: "amount", value: 30 }],
      false,
    );
    expect(lines[0]).toEqual({
      gross: 0,
      lineDiscount: 0,
      saleDiscount: 0,
      amount: 0,
      tax: 0,
      total: 0,
    });
    expect(totals).toEqual({
      gross: 300,
      lineDiscount: 0,
      saleDiscount: 30,
      discount: 30,
      tax: 54,
      total: 324,
    });
  });
});
