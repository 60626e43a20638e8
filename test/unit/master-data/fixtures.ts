import type { Customer, Product } from "../../../domain/master-data.ts";
import type { VerifiedPackage } from "../../../replication/master-data/master-data-index.ts";
import type { PackageKind } from "../../../replication/master-data/master-data-log.ts";
import type { MasterDataRow, UpsertRow } from "../../../replication/master-data/master-data-row.ts";
import { encodePackage } from "../../../replication/master-data/package-codec.ts";

export function product(id: string, overrides: Partial<Product> = {}): Product {
  return {
    id,
    name: `Product ${id}`,
    barcodes: [`400${id.replace(/\D/g, "").padStart(10, "0")}`],
    price: 199,
    taxGroupId: "std",
    active: true,
    ...overrides,
  };
}

export function customer(id: string, name: string, extra: Partial<Customer> = {}): Customer {
  return { id, name, ...extra };
}

export function up(row: UpsertRow): UpsertRow {
  return row;
}

/** One of every entity: what a store's first full package carries. */
export function sampleCatalog(): MasterDataRow[] {
  return [
    {
      entity: "store",
      op: "upsert",
      value: { id: "s1", name: "Main Street", currency: "EUR", pricesIncludeTax: true },
    },
    { entity: "tax-group", op: "upsert", value: { id: "std", name: "Standard", rateBp: 2000 } },
    { entity: "tax-group", op: "upsert", value: { id: "red", name: "Reduced", rateBp: 550 } },
    {
      entity: "product",
      op: "upsert",
      value: product("p1", { barcodes: ["4000000000001", "4000000000011"] }),
    },
    { entity: "product", op: "upsert", value: product("p2", { taxGroupId: "red" }) },
    {
      entity: "discount",
      op: "upsert",
      value: { id: "d1", name: "Staff", kind: "percent", value: 1000, scope: "sale", active: true },
    },
    {
      entity: "customer",
      op: "upsert",
      value: customer("c1", "Anna Smith", { email: "anna@example.com", phone: "+49 170 1234567" }),
    },
    { entity: "customer", op: "upsert", value: customer("c2", "Bob Smithers") },
    { entity: "customer", op: "upsert", value: customer("c3", "Carla Jones") },
    {
      entity: "operator",
      op: "upsert",
      value: {
        id: "o1",
        name: "Olga",
        role: "cashier",
        permissions: ["sell", "void-line"],
        maxDiscountBp: 500,
        pinHash: {
          algorithm: "PBKDF2-SHA256",
          iterations: 100_000,
          salt: "c2FsdA==",
          hash: "aGFzaA==",
        },
      },
    },
    {
      entity: "offline-profile",
      op: "upsert",
      value: { id: "op1", name: "Default", switchTimeoutMs: 3000, reconnectIntervalMs: 60_000 },
    },
    {
      entity: "register",
      op: "upsert",
      value: {
        id: "r1",
        storeId: "s1",
        name: "Till 1",
        offlineSupport: true,
        offlineProfileId: "op1",
      },
    },
    { entity: "tender-type", op: "upsert", value: { id: "cash", name: "Cash", kind: "cash" } },
    { entity: "tender-type", op: "upsert", value: { id: "card", name: "Card", kind: "card" } },
  ];
}

export function manyProducts(count: number): UpsertRow[] {
  const rows: UpsertRow[] = new Array(count);
  for (let i = 0; i < count; i++) {
    rows[i] = {
      entity: "product",
      op: "upsert",
      value: {
        id: `p${i}`,
        name: `Product number ${i}`,
        barcodes: [String(4_000_000_000_000 + i)],
        price: 100 + (i % 1000),
        taxGroupId: "std",
        active: true,
      },
    };
  }
  return rows;
}

export async function verified(
  seq: number,
  kind: PackageKind,
  rows: readonly MasterDataRow[],
): Promise<VerifiedPackage> {
  return { seq, kind, rows, encoded: await encodePackage(rows) };
}
