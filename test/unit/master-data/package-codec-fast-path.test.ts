import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { MasterDataError } from "../../../replication/master-data/master-data-error.ts";
import {
  exactMasterDataRow,
  type MasterDataRow,
  parseMasterDataRow,
} from "../../../replication/master-data/master-data-row.ts";
import { decodePackage, sha256Hex } from "../../../replication/master-data/package-codec.ts";
import { sampleCatalog } from "./fixtures.ts";

const runs = Number(process.env.POS_PROPERTY_RUNS ?? 100);

async function packageOf(text: string, rows: number) {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream("gzip"));
  const payload = new Uint8Array(await new Response(stream).arrayBuffer());
  return { payload, sha256: await sha256Hex(payload), rows };
}

/** The reference: every non-empty line parsed and validated by the zod schemas alone. */
function reference(text: string): { rows: MasterDataRow[] } | { line: number } {
  const rows: MasterDataRow[] = [];
  const lines = text.length === 0 ? [] : text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const source = lines[i] as string;
    if (source.length === 0) continue;
    let json: unknown;
    try {
      json = JSON.parse(source);
    } catch {
      return { line: i + 1 };
    }
    const parsed = parseMasterDataRow(json);
    if (!parsed.ok) return { line: i + 1 };
    rows.push(parsed.row);
  }
  return { rows };
}

const validProduct = fc.record({
  id: fc.string({ minLength: 1, maxLength: 6 }),
  name: fc.string({ maxLength: 8 }),
  barcodes: fc.array(fc.string({ minLength: 1, maxLength: 5 }), { maxLength: 2 }),
  price: fc.integer(),
  taxGroupId: fc.constantFrom("std", "red"),
  active: fc.boolean(),
});

/** Values near the product schema: valid, with a field changed to something odd, or extra keys. */
const oddValue = fc.oneof(
  fc.constant(""),
  fc.constant(1.5),
  fc.constant(Number.MAX_SAFE_INTEGER + 2),
  fc.constant(null),
  fc.constant([["x"]]),
  fc.constant(["a", 2]),
  fc.constant({}),
  fc.string({ maxLength: 3 }),
  fc.boolean(),
);
const productish = fc.oneof(
  validProduct,
  fc
    .tuple(
      validProduct,
      fc.constantFrom("id", "name", "barcodes", "price", "taxGroupId", "active", "extra"),
      oddValue,
    )
    .map(([product, key, value]) => ({ ...product, [key]: value })),
  fc.tuple(validProduct, fc.constantFrom("id", "price", "active")).map(([product, key]) => {
    const copy: Record<string, unknown> = { ...product };
    delete copy[key];
    return copy;
  }),
);
const customerish = fc.record(
  {
    id: fc.oneof(fc.string({ minLength: 1, maxLength: 4 }), fc.constant("")),
    name: fc.string({ maxLength: 4 }),
    email: fc.oneof(fc.string({ maxLength: 4 }), fc.constant(3)),
    phone: fc.string({ maxLength: 4 }),
    extra: fc.constant([[1]]),
  },
  { requiredKeys: ["name"] },
);
const rowish = fc.oneof(
  { weight: 5, arbitrary: productish.map((value) => ({ entity: "product", op: "upsert", value })) },
  {
    weight: 2,
    arbitrary: customerish.map((value) => ({ entity: "customer", op: "upsert", value })),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      entity: fc.constantFrom("product", "customer", "operator", "shoe"),
      op: fc.constantFrom("delete", "remove"),
      id: fc.oneof(fc.string({ maxLength: 4 }), fc.constant(7)),
    }),
  },
  { weight: 1, arbitrary: fc.constantFrom(...sampleCatalog()) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(productish, oddValue)
      .map(([value, extra]) => ({ entity: "product", op: "upsert", value, extra })),
  },
);
/** A line: a JSON row, or something that is not one row per line. */
const lineish = fc.oneof(
  { weight: 8, arbitrary: rowish.map((row) => JSON.stringify(row)) },
  { weight: 1, arbitrary: fc.constantFrom("", " ", "{nope", "[]", "null", "{}") },
  {
    weight: 1,
    arbitrary: fc
      .tuple(rowish, rowish)
      .map(([a, b]) => `${JSON.stringify(a)},${JSON.stringify(b)}`),
  },
  {
    weight: 1,
    arbitrary: rowish.map((row) => {
      const text = JSON.stringify(row);
      const cut = Math.floor(text.length / 2);
      return `${text.slice(0, cut)}\n${text.slice(cut)}`;
    }),
  },
);

describe("package decoding fast path", () => {
  it("accepts exactly what the zod schemas accept, and names the same first bad line", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(lineish, { maxLength: 12 }), async (lines) => {
        const text = lines.join("\n");
        const expected = reference(text);
        const count = "rows" in expected ? expected.rows.length : 0;
        const outcome = await decodePackage(await packageOf(text, count), { seq: 3 }).then(
          (rows) => ({ rows }),
          (error: MasterDataError) => ({ error }),
        );
        if ("rows" in expected) {
          expect(outcome).toEqual({ rows: expected.rows });
        } else {
          expect("error" in outcome && outcome.error.code).toBe("POS_MD_003");
          expect("error" in outcome && outcome.error.message).toContain(`line ${expected.line}:`);
        }
      }),
      { numRuns: runs },
    );
  });

  it("the fast path never accepts a row zod rejects, and returns the row zod returns", () => {
    fc.assert(
      fc.property(rowish, (row) => {
        const exact = exactMasterDataRow(row);
        if (exact === undefined) return;
        const parsed = parseMasterDataRow(row);
        expect(parsed.ok).toBe(true);
        if (parsed.ok) expect(exact).toEqual(parsed.row);
      }),
      { numRuns: runs * 10 },
    );
  });

  it("checks the checksum and row count of trusted rows without validating them again", async () => {
    const row = JSON.stringify({ entity: "product", op: "upsert", value: { id: "p" } });
    const encoded = await packageOf(`${row}\n${row}`, 2);
    expect(await decodePackage(encoded, { trustedRows: true })).toHaveLength(2);
    await expect(
      decodePackage({ ...encoded, rows: 3 }, { trustedRows: true }),
    ).rejects.toMatchObject({ code: "POS_MD_002" });
    const damaged = new Uint8Array(encoded.payload);
    damaged[damaged.length - 5] = (damaged[damaged.length - 5] ?? 0) ^ 1;
    await expect(
      decodePackage({ ...encoded, payload: damaged }, { trustedRows: true }),
    ).rejects.toMatchObject({ code: "POS_MD_001" });
  });

  it("reports an unreadable payload before a bad row it would contain", async () => {
    const good = await packageOf("{nope\n", 1);
    const truncated = good.payload.slice(0, good.payload.length - 4);
    await expect(
      decodePackage({ payload: truncated, sha256: await sha256Hex(truncated), rows: 1 }),
    ).rejects.toMatchObject({ code: "POS_MD_004" });
  });
});
