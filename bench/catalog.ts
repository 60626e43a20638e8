import type { Operator, Product, TaxGroup, TenderType } from "../domain/master-data.ts";
import type { MasterDataRow, UpsertRow } from "../replication/master-data/master-data-row.ts";

/**
 * The benchmark store: one store, one register, its operator, tenders and tax groups, and a
 * catalog of `products` products with one EAN-13-like barcode each. Deterministic, so every
 * figure and its baseline see exactly the same rows.
 */

export const BENCH_STORE_ID = "s1";

export const STANDARD_TAX: TaxGroup = { id: "std", name: "Standard", rateBp: 2000 };

export const CASH: TenderType = { id: "cash", name: "Cash", kind: "cash" };

export const CASHIER: Operator = {
  id: "o1",
  name: "Olga",
  role: "cashier",
  permissions: ["sell", "void-line", "discount"],
  maxDiscountBp: 500,
  pinHash: {
    algorithm: "PBKDF2-SHA256",
    iterations: 100_000,
    salt: "c2FsdA==",
    hash: "aGFzaA==",
  },
};

/** Barcode of the `i`-th product of the catalog. */
export function barcodeOf(i: number): string {
  return String(4_000_000_000_000 + i);
}

/** The `i`-th product of the catalog. */
export function productAt(i: number): Product {
  return {
    id: `p${i}`,
    name: `Product number ${i}`,
    barcodes: [barcodeOf(i)],
    price: 100 + (i % 1000),
    taxGroupId: STANDARD_TAX.id,
    active: true,
  };
}

/** Every row of a store's first full package: settings plus `products` products. */
export function catalogRows(products: number): UpsertRow[] {
  const rows: UpsertRow[] = [
    {
      entity: "store",
      op: "upsert",
      value: { id: BENCH_STORE_ID, name: "Main Street", currency: "EUR", pricesIncludeTax: true },
    },
    { entity: "tax-group", op: "upsert", value: STANDARD_TAX },
    { entity: "tender-type", op: "upsert", value: CASH },
    { entity: "operator", op: "upsert", value: CASHIER },
    {
      entity: "offline-profile",
      op: "upsert",
      value: { id: "op1", name: "Default", switchTimeoutMs: 3000, reconnectIntervalMs: 60_000 },
    },
  ];
  for (let r = 1; r <= 10; r++) {
    rows.push({
      entity: "register",
      op: "upsert",
      value: {
        id: `r${r}`,
        storeId: BENCH_STORE_ID,
        name: `Till ${r}`,
        offlineSupport: true,
        offlineProfileId: "op1",
      },
    });
  }
  for (let i = 0; i < products; i++) {
    rows.push({ entity: "product", op: "upsert", value: productAt(i) });
  }
  return rows;
}

/** Number of product rows in a row list. */
export function productCount(rows: readonly MasterDataRow[]): number {
  return rows.filter((row) => row.entity === "product").length;
}
