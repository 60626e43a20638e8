import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { importCatalog } from "../../../src/server/catalog-import.ts";
import { DEMO_TAX_GROUPS } from "../../../src/server/demo-store.ts";
import { toEan13 } from "../../../src/server/gtin.ts";

const runs = Number(process.env.POS_PROPERTY_RUNS ?? 100);
const references = { taxGroups: DEMO_TAX_GROUPS };

type Outcome = ReturnType<typeof importCatalog>;

function wellFormed(result: Outcome): boolean {
  if (result.ok) return result.products.length > 0;
  return (
    result.issues.length > 0 &&
    result.issues.every(
      (issue) =>
        Number.isInteger(issue.line) &&
        issue.line >= 1 &&
        (issue.field === null || typeof issue.field === "string") &&
        issue.reason.length > 0,
    )
  );
}

const csvCell = fc.oneof(
  fc.string(),
  fc.constantFrom("", '"', '""', ",", ";", "\n", "\r\n", "|", "1.99", "RED", "STD", "true"),
  fc.integer().map(String),
);
const csvLike = fc
  .tuple(
    fc.subarray(["id", "name", "price", "tax_group", "barcodes", "active", "extra"]),
    fc.array(fc.array(csvCell, { maxLength: 8 }), { maxLength: 12 }),
  )
  .map(([header, rows]) => [header.join(","), ...rows.map((row) => row.join(","))].join("\n"));

const jsonValue = fc.jsonValue({ maxDepth: 3 });
const productLike = fc.record(
  {
    id: fc.oneof(fc.string(), fc.integer(), fc.constant("P1")),
    name: fc.oneof(fc.string(), fc.constant(null)),
    price: fc.oneof(fc.integer(), fc.double(), fc.string()),
    taxGroupId: fc.oneof(fc.constantFrom("STD", "RED", "ZERO", "NOPE"), fc.string()),
    barcodes: fc.oneof(fc.array(fc.string()), fc.constant([toEan13("376000000001")]), jsonValue),
    active: fc.oneof(fc.boolean(), jsonValue),
  },
  { requiredKeys: [] },
);

describe("catalog import never throws on arbitrary input", () => {
  it("CSV: arbitrary text and CSV-shaped text give either products or located issues", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: "binary" }), csvLike), (text) => {
        const result = importCatalog({ format: "csv", text, references });
        expect(wellFormed(result)).toBe(true);
      }),
      { numRuns: runs },
    );
  });

  it("JSON: arbitrary text, JSON values and product-shaped arrays give products or issues", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: "binary" }),
          jsonValue.map((value) => JSON.stringify(value) ?? ""),
          fc.array(productLike, { maxLength: 10 }).map((rows) => JSON.stringify(rows, null, 2)),
        ),
        (text) => {
          const result = importCatalog({ format: "json", text, references });
          expect(wellFormed(result)).toBe(true);
          if (result.ok) {
            for (const product of result.products) {
              expect(Number.isSafeInteger(product.price)).toBe(true);
              expect(["STD", "RED", "ZERO"]).toContain(product.taxGroupId);
            }
          }
        },
      ),
      { numRuns: runs },
    );
  });

  it("all-or-nothing: one bad row among good ones rejects the file and names that row", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30 }), fc.nat(), (count, at) => {
        const bad = at % count;
        const lines = ["id,name,price,tax_group"];
        for (let i = 0; i < count; i++) {
          lines.push(i === bad ? `P${i},Item ${i},-1,STD` : `P${i},Item ${i},1.00,STD`);
        }
        const result = importCatalog({ format: "csv", text: lines.join("\n"), references });
        expect(result.ok).toBe(false);
        expect(!result.ok && result.issues).toEqual([
          { line: bad + 2, field: "price", reason: expect.any(String) },
        ]);
      }),
      { numRuns: runs },
    );
  });
});
