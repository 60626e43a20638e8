import { describe, expect, expectTypeOf, it } from "vitest";
import type { z } from "zod";
import type {
  Customer,
  Discount,
  OfflineProfile,
  Operator,
  Product,
  Register,
  Store,
  TaxGroup,
  TenderType,
} from "../../../domain/master-data.ts";
import {
  type customerSchema,
  type discountSchema,
  masterDataRowSchema,
  type offlineProfileSchema,
  type operatorSchema,
  parseMasterDataRow,
  type productSchema,
  type registerSettingsSchema,
  type storeSchema,
  type taxGroupSchema,
  type tenderTypeSchema,
} from "../../../replication/master-data/master-data-row.ts";
import { sampleCatalog } from "./fixtures.ts";

describe("master data row schemas", () => {
  it("infer the domain types (both directions, readonly aside)", () => {
    expectTypeOf<z.output<typeof storeSchema>>().toExtend<Store>();
    expectTypeOf<Store>().toExtend<z.output<typeof storeSchema>>();
    expectTypeOf<z.output<typeof taxGroupSchema>>().toExtend<TaxGroup>();
    expectTypeOf<TaxGroup>().toExtend<z.output<typeof taxGroupSchema>>();
    expectTypeOf<z.output<typeof productSchema>>().toExtend<Product>();
    expectTypeOf<Product>().toExtend<z.output<typeof productSchema>>();
    expectTypeOf<z.output<typeof discountSchema>>().toExtend<Discount>();
    expectTypeOf<Discount>().toExtend<z.output<typeof discountSchema>>();
    expectTypeOf<z.output<typeof customerSchema>>().toExtend<Customer>();
    expectTypeOf<Customer>().toExtend<z.output<typeof customerSchema>>();
    expectTypeOf<z.output<typeof operatorSchema>>().toExtend<Operator>();
    expectTypeOf<Operator>().toExtend<z.output<typeof operatorSchema>>();
    expectTypeOf<z.output<typeof offlineProfileSchema>>().toExtend<OfflineProfile>();
    expectTypeOf<OfflineProfile>().toExtend<z.output<typeof offlineProfileSchema>>();
    expectTypeOf<z.output<typeof registerSettingsSchema>>().toExtend<Register>();
    expectTypeOf<Register>().toExtend<z.output<typeof registerSettingsSchema>>();
    expectTypeOf<z.output<typeof tenderTypeSchema>>().toExtend<TenderType>();
    expectTypeOf<TenderType>().toExtend<z.output<typeof tenderTypeSchema>>();
  });

  it("accepts every sample row, through both entry points", () => {
    for (const row of sampleCatalog()) {
      expect(parseMasterDataRow(row)).toEqual({ ok: true, row });
      expect(masterDataRowSchema.parse(row)).toEqual(row);
    }
  });

  it("keeps optional fields absent rather than undefined", () => {
    const parsed = parseMasterDataRow({
      entity: "customer",
      op: "upsert",
      value: { id: "c", name: "C" },
    });
    expect(parsed.ok && parsed.row.op === "upsert" && "email" in parsed.row.value).toBe(false);
  });

  it.each([
    [
      "a fractional price",
      {
        entity: "product",
        op: "upsert",
        value: { id: "p", name: "P", barcodes: [], price: 0.5, taxGroupId: "t", active: true },
      },
    ],
    [
      "an unknown permission",
      {
        entity: "operator",
        op: "upsert",
        value: {
          id: "o",
          name: "O",
          role: "cashier",
          permissions: ["fly"],
          maxDiscountBp: 0,
          pinHash: { algorithm: "PBKDF2-SHA256", iterations: 1, salt: "s", hash: "h" },
        },
      },
    ],
    [
      "a lower-case currency",
      {
        entity: "store",
        op: "upsert",
        value: { id: "s", name: "S", currency: "eur", pricesIncludeTax: true },
      },
    ],
    ["an empty id", { entity: "tender-type", op: "delete", id: "" }],
    ["a missing value", { entity: "discount", op: "upsert" }],
  ])("rejects %s", (_label, row) => {
    const parsed = parseMasterDataRow(row);
    expect(parsed.ok).toBe(false);
    expect(masterDataRowSchema.safeParse(row).success).toBe(false);
  });
});
