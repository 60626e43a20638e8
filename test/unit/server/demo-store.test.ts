import { describe, expect, it } from "vitest";
import { verifyPin } from "../../../replication/operators/pin-hash.ts";
import { importCatalog } from "../../../src/server/catalog-import.ts";
import { createDemoStore, DEMO_OPERATOR_PINS } from "../../../src/server/demo-store.ts";
import { gtinCheckDigit, isValidEan13, isValidGtin, toEan13 } from "../../../src/server/gtin.ts";

describe("GTIN check digits", () => {
  it("accepts real barcodes and rejects a wrong check digit, letters and odd lengths", () => {
    expect(isValidEan13("4006381333931")).toBe(true);
    expect(isValidEan13("4006381333932")).toBe(false);
    expect(isValidGtin("96385074")).toBe(true);
    expect(isValidGtin("036000291452")).toBe(true);
    expect(isValidGtin("4006381333931a")).toBe(false);
    expect(isValidGtin("123456789")).toBe(false);
    expect(gtinCheckDigit("400638133393")).toBe(1);
    expect(toEan13("400638133393")).toBe("4006381333931");
    expect(() => toEan13("12345")).toThrow(RangeError);
  });
});

describe("demo store", () => {
  it("is identical for the same seed and different for another seed", async () => {
    const a = await createDemoStore(42, { pinIterations: 1_000 });
    const b = await createDemoStore(42, { pinIterations: 1_000 });
    const c = await createDemoStore(43, { pinIterations: 1_000 });
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    expect(JSON.stringify(c.products)).not.toBe(JSON.stringify(a.products));
    expect(c.operators[0]?.pinHash.salt).not.toBe(a.operators[0]?.pinHash.salt);
  });

  it("has at least 2,000 plausible products with unique ids, names and valid EAN-13 barcodes", async () => {
    const demo = await createDemoStore(1, { pinIterations: 1_000 });
    expect(demo.products.length).toBeGreaterThanOrEqual(2_000);
    const ids = new Set(demo.products.map((p) => p.id));
    const names = new Set(demo.products.map((p) => p.name));
    const barcodes = demo.products.flatMap((p) => p.barcodes);
    expect(ids.size).toBe(demo.products.length);
    expect(names.size).toBe(demo.products.length);
    expect(new Set(barcodes).size).toBe(barcodes.length);
    for (const code of barcodes) expect(isValidEan13(code), code).toBe(true);
    const taxGroups = new Set(demo.taxGroups.map((g) => g.id));
    for (const product of demo.products) {
      expect(Number.isSafeInteger(product.price) && product.price > 0, product.id).toBe(true);
      expect(taxGroups.has(product.taxGroupId), product.id).toBe(true);
      expect(product.name).toMatch(/^\p{Lu}[\p{L}\d' ,.-]+$/u);
    }
    expect(demo.products.some((p) => p.name.includes("Milk"))).toBe(true);
    expect(new Set(demo.products.map((p) => p.taxGroupId))).toEqual(taxGroups);
    // The demo catalog passes the back office import checks.
    const imported = importCatalog({
      format: "json",
      text: JSON.stringify(demo.products),
      references: demo,
    });
    expect(imported.ok).toBe(true);
  });

  it("sets up tax, tenders, offline profile, registers, operators, customers and discounts", async () => {
    const demo = await createDemoStore(7, { pinIterations: 1_000 });
    expect(demo.taxGroups.map((g) => g.rateBp)).toEqual([2000, 550, 0]);
    expect(demo.tenderTypes.map((t) => t.kind)).toEqual([
      "cash",
      "card",
      "gift-card",
      "customer-account",
    ]);
    expect(demo.offlineProfiles).toEqual([
      expect.objectContaining({ switchTimeoutMs: 5_000, reconnectIntervalMs: 60_000 }),
    ]);
    expect(demo.registers.map((r) => [r.id, r.offlineSupport])).toEqual([
      ["R1", true],
      ["R2", true],
      ["R3", false],
    ]);
    for (const register of demo.registers.filter((r) => r.offlineSupport)) {
      expect(register.offlineProfileId).toBe(demo.offlineProfiles[0]?.id);
    }
    expect(demo.operators.map((o) => o.role)).toEqual(["cashier", "manager"]);
    for (const operator of demo.operators) {
      const pin = DEMO_OPERATOR_PINS[operator.id as keyof typeof DEMO_OPERATOR_PINS];
      await expect(verifyPin(pin, operator.pinHash)).resolves.toBe(true);
      await expect(verifyPin("0000", operator.pinHash)).resolves.toBe(false);
    }
    expect(demo.operators.find((o) => o.role === "manager")?.permissions).toContain(
      "manager-override",
    );
    expect(demo.customers.length).toBeGreaterThan(10);
    expect(new Set(demo.customers.map((c) => c.id)).size).toBe(demo.customers.length);
    expect(demo.discounts.map((d) => d.kind)).toEqual(
      expect.arrayContaining(["percent", "amount"]),
    );
  });

  it("adds offline-capable registers R4, R5, ... on request, and refuses a bad count", async () => {
    const demo = await createDemoStore(1, {
      productCount: 10,
      pinIterations: 1_000,
      extraRegisters: 2,
    });
    expect(demo.registers.map((r) => [r.id, r.offlineSupport])).toEqual([
      ["R1", true],
      ["R2", true],
      ["R3", false],
      ["R4", true],
      ["R5", true],
    ]);
    await expect(createDemoStore(1, { productCount: 10, extraRegisters: 99 })).rejects.toThrow(
      /extraRegisters must be a whole number from 0 to 20/,
    );
  });
});
