import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createMoneyFormat } from "../../../src/register/money-format.ts";

const runs = Number(process.env.POS_PROPERTY_RUNS ?? 100);

describe("money format at the register", () => {
  it("formats minor units with the store's currency", () => {
    expect(createMoneyFormat("EUR", "en-IE").format(1250)).toBe("€12.50");
    expect(createMoneyFormat("EUR", "en-IE").format(-5)).toBe("-€0.05");
    expect(createMoneyFormat("JPY", "en-US").format(1250)).toBe("¥1,250");
    expect(createMoneyFormat("BHD", "en-US").fractionDigits).toBe(3);
  });

  it("parses what a cashier types without floating point errors", () => {
    const eur = createMoneyFormat("EUR", "en-IE");
    expect(eur.parse("12.5")).toBe(1250);
    expect(eur.parse("12,50")).toBe(1250);
    expect(eur.parse(" 0.1 ")).toBe(10);
    expect(eur.parse("7")).toBe(700);
    expect(eur.parse(".99")).toBe(99);
    expect(eur.parse("-3.20")).toBe(-320);
    expect(eur.parse("1.234")).toBeNull();
    expect(eur.parse("")).toBeNull();
    expect(eur.parse("12a")).toBeNull();
    expect(eur.parse("€12")).toBeNull();
    expect(createMoneyFormat("JPY").parse("1250")).toBe(1250);
    expect(createMoneyFormat("JPY").parse("12.5")).toBeNull();
  });

  it("reads back every amount it writes in plain decimal form", () => {
    const eur = createMoneyFormat("EUR", "en-IE");
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e12 }), (minor) => {
        const text = `${Math.floor(minor / 100)}.${String(minor % 100).padStart(2, "0")}`;
        expect(eur.parse(text)).toBe(minor);
      }),
      { numRuns: runs },
    );
  });
});
