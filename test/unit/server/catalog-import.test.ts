import { describe, expect, it } from "vitest";
import { importCatalog } from "../../../src/server/catalog-import.ts";
import { DEMO_TAX_GROUPS } from "../../../src/server/demo-store.ts";
import { toEan13 } from "../../../src/server/gtin.ts";

const references = { taxGroups: DEMO_TAX_GROUPS };
const milk = toEan13("376000000001");
const bread = toEan13("376000000002");
const beer = toEan13("376000000003");

describe("catalog import from CSV", () => {
  it("returns every row validated, prices in minor units", () => {
    const text = [
      "id,name,barcodes,price,tax_group,active",
      `P1,Whole Milk 1 L,${milk},1.09,RED,true`,
      `P2,"Sourdough Loaf, 800 g",${bread}|${beer.slice(0, 0)},3,RED,`,
      "P3,Daily Newspaper,,2.5,ZERO,no",
    ].join("\n");
    const result = importCatalog({ format: "csv", text, references });
    expect(result).toEqual({
      ok: true,
      products: [
        {
          id: "P1",
          name: "Whole Milk 1 L",
          barcodes: [milk],
          price: 109,
          taxGroupId: "RED",
          active: true,
        },
        {
          id: "P2",
          name: "Sourdough Loaf, 800 g",
          barcodes: [bread],
          price: 300,
          taxGroupId: "RED",
          active: true,
        },
        {
          id: "P3",
          name: "Daily Newspaper",
          barcodes: [],
          price: 250,
          taxGroupId: "ZERO",
          active: false,
        },
      ],
    });
  });

  it("reads semicolon files with a BOM, CRLF line ends, decimal commas and any column order", () => {
    const text = `\uFEFFTAX_GROUP;Price;Name;ID\r\nSTD;4,99;Pale Ale 4 x 440 ml;B-1\r\n`;
    const result = importCatalog({ format: "csv", text, references });
    expect(result.ok && result.products).toEqual([
      {
        id: "B-1",
        name: "Pale Ale 4 x 440 ml",
        barcodes: [],
        price: 499,
        taxGroupId: "STD",
        active: true,
      },
    ]);
  });

  it("names the line, field and reason of every problem and applies nothing", () => {
    const text = [
      "id,name,barcodes,price,tax_group",
      `P1,Whole Milk,${milk},1.09,RED`,
      "P2,,4006381333932,abc,RED",
      "",
      `P3,Bread,4006381333931|96385075,2.00,XX`,
      `P1,Milk again,,1.00,RED`,
      `P4,"Two`,
      `lines",${milk},1.00,STD`,
      "P5,Short row",
      `P6,Milk twin,${milk},1.00,RED`,
    ].join("\n");
    const result = importCatalog({ format: "csv", text, references });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues).toEqual([
      { line: 3, field: "name", reason: "is required" },
      { line: 3, field: "price", reason: expect.stringMatching(/amount like 2.49/) },
      { line: 3, field: "barcodes", reason: expect.stringMatching(/4006381333932.*check digit/) },
      {
        line: 5,
        field: "tax_group",
        reason: expect.stringMatching(/tax group "XX" does not exist/),
      },
      { line: 5, field: "barcodes", reason: expect.stringMatching(/96385075.*check digit/) },
      { line: 6, field: "id", reason: "product P1 already appears on line 2" },
      { line: 7, field: "name", reason: expect.stringMatching(/line breaks/) },
      { line: 9, field: null, reason: "has 2 values but the header has 5 columns" },
      {
        line: 10,
        field: "barcodes",
        reason: `barcode ${milk} is also given to product P1 on line 2`,
      },
    ]);
  });

  it("rejects unknown, duplicate and missing header columns", () => {
    const result = importCatalog({
      format: "csv",
      text: "id,name,colour,name\nP1,A,red,B\n",
      references,
    });
    expect(!result.ok && result.issues).toEqual([
      { line: 1, field: "colour", reason: expect.stringMatching(/not a known column/) },
      { line: 1, field: "name", reason: "appears more than once in the header" },
      { line: 1, field: "price", reason: "required column is missing" },
      { line: 1, field: "tax_group", reason: "required column is missing" },
    ]);
  });

  it("reports malformed CSV, empty files, header-only files and too many rows", () => {
    const unclosed = importCatalog({
      format: "csv",
      text: 'id,name,price,tax_group\nP1,"Milk,1.00,RED\n',
      references,
    });
    expect(!unclosed.ok && unclosed.issues[0]).toMatchObject({
      field: null,
      reason: expect.stringMatching(/malformed/),
    });
    expect(importCatalog({ format: "csv", text: " \n", references })).toEqual({
      ok: false,
      issues: [{ line: 1, field: null, reason: "the file is empty" }],
    });
    const headerOnly = importCatalog({
      format: "csv",
      text: "id,name,price,tax_group\n",
      references,
    });
    expect(!headerOnly.ok && headerOnly.issues[0]?.reason).toBe("the file has no product rows");
    const rows = ["id,name,price,tax_group", "A,a,1,STD", "B,b,1,STD", "C,c,1,STD"].join("\n");
    const tooMany = importCatalog({
      format: "csv",
      text: rows,
      references,
      limits: { maxRows: 2 },
    });
    expect(!tooMany.ok && tooMany.issues).toEqual([
      { line: 4, field: null, reason: "the file has more than 2 product rows; split it" },
    ]);
  });

  it("enforces the maximum name length and checks barcodes against current products", () => {
    const long = importCatalog({
      format: "csv",
      text: `id,name,price,tax_group\nP1,${"x".repeat(41)},1,STD\n`,
      references,
      limits: { maxStringLength: 40 },
    });
    expect(!long.ok && long.issues).toEqual([
      { line: 2, field: "name", reason: "must be at most 40 characters" },
    ]);

    const existing = [
      { id: "OLD", barcodes: [milk] },
      { id: "P1", barcodes: [bread] },
    ];
    const conflict = importCatalog({
      format: "csv",
      text: `id,name,price,tax_group,barcodes\nP1,Milk,1,RED,${milk}\nP2,Bread,1,RED,${bread}\n`,
      references: { ...references, products: existing },
    });
    // The milk barcode belongs to OLD, which the file does not touch; P1 (re-imported) gives
    // up the bread barcode, so P2 may take it.
    expect(!conflict.ok && conflict.issues).toEqual([
      { line: 2, field: "barcodes", reason: `barcode ${milk} already belongs to product OLD` },
    ]);
  });
});

describe("catalog import from JSON", () => {
  it("returns every product validated, defaults applied", () => {
    const text = JSON.stringify([
      { id: "P1", name: "Whole Milk", price: 109, taxGroupId: "RED", barcodes: [milk] },
      { id: "P2", name: "Newspaper", price: 250, taxGroupId: "ZERO", active: false },
    ]);
    expect(importCatalog({ format: "json", text, references })).toEqual({
      ok: true,
      products: [
        {
          id: "P1",
          name: "Whole Milk",
          price: 109,
          taxGroupId: "RED",
          barcodes: [milk],
          active: true,
        },
        {
          id: "P2",
          name: "Newspaper",
          price: 250,
          taxGroupId: "ZERO",
          barcodes: [],
          active: false,
        },
      ],
    });
  });

  it("names the line where each bad product starts, the field and the reason", () => {
    const text = `[
  {"id": "P1", "name": "Milk", "price": 109, "taxGroupId": "RED"},
  {
    "id": "P2",
    "name": "Bread [large]",
    "price": 2.5,
    "taxGroupId": "RED",
    "colour": "brown"
  },
  "not a product",
  {"id": "P3", "name": "Eggs \\"free range\\"", "price": 1, "taxGroupId": "NONE", "barcodes": ["123"]},
  {"id": "P1", "name": "Milk again", "price": 1, "taxGroupId": "RED"}
]`;
    const result = importCatalog({ format: "json", text, references });
    expect(!result.ok && result.issues).toEqual([
      { line: 3, field: "price", reason: expect.stringMatching(/whole number of minor units/) },
      { line: 3, field: "colour", reason: "is not a product field" },
      { line: 10, field: null, reason: "must be a product object" },
      { line: 11, field: "taxGroupId", reason: expect.stringMatching(/"NONE" does not exist/) },
      { line: 11, field: "barcodes.0", reason: expect.stringMatching(/not a valid EAN/) },
      { line: 12, field: "id", reason: "product P1 already appears on line 2" },
    ]);
  });

  it("reports malformed JSON with its line, and anything but an array", () => {
    const broken = importCatalog({ format: "json", text: '[\n{"id": "P1",\n}\n]', references });
    expect(!broken.ok && broken.issues[0]).toMatchObject({ line: 3, field: null });
    expect(!broken.ok && broken.issues[0]?.reason).toMatch(/malformed/);
    const object = importCatalog({ format: "json", text: '{"products": []}', references });
    expect(!object.ok && object.issues[0]?.reason).toBe(
      "the file must be a JSON array of products",
    );
    const empty = importCatalog({ format: "json", text: "[]", references });
    expect(!empty.ok && empty.issues[0]?.reason).toBe("the file has no products");
  });
});
