import { describe, expect, it } from "vitest";
import { MasterDataError } from "../../../replication/master-data/master-data-error.ts";
import {
  decodePackage,
  encodePackage,
  sha256Hex,
} from "../../../replication/master-data/package-codec.ts";
import { manyProducts, sampleCatalog } from "./fixtures.ts";

async function gzip(text: string): Promise<Uint8Array> {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

async function packageOf(text: string, rows: number) {
  const payload = await gzip(text);
  return { payload, sha256: await sha256Hex(payload), rows };
}

describe("package codec", () => {
  it("round-trips every entity", async () => {
    const rows = [...sampleCatalog(), { entity: "product", op: "delete", id: "p0" } as const];
    const encoded = await encodePackage(rows);
    expect(encoded.rows).toBe(rows.length);
    expect(encoded.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(await decodePackage(encoded)).toEqual(rows);
  });

  it("round-trips an empty package", async () => {
    const encoded = await encodePackage([]);
    expect(await decodePackage(encoded)).toEqual([]);
  });

  it("computes the standard SHA-256", async () => {
    expect(await sha256Hex(new TextEncoder().encode("abc"))).toBe(
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
  });

  it("rejects a payload whose checksum does not match", async () => {
    const encoded = await encodePackage(sampleCatalog());
    const payload = encoded.payload.slice();
    payload[payload.length - 5] = (payload[payload.length - 5]! + 1) % 256;
    const error = await decodePackage({ ...encoded, payload }, { seq: 4 }).catch((e) => e);
    expect(error).toBeInstanceOf(MasterDataError);
    expect(error).toMatchObject({ code: "POS_MD_001", seq: 4 });
    expect(error.message).toContain("data package 4");
  });

  it("rejects a wrong row count", async () => {
    const encoded = await encodePackage(sampleCatalog());
    await expect(decodePackage({ ...encoded, rows: encoded.rows + 1 })).rejects.toMatchObject({
      code: "POS_MD_002",
    });
  });

  it("rejects an invalid row and names its line", async () => {
    const bad = {
      entity: "product",
      op: "upsert",
      value: { id: "p1", name: "X", barcodes: [], price: 1.5, taxGroupId: "std", active: true },
    };
    const text = [JSON.stringify(sampleCatalog()[0]), JSON.stringify(bad)].join("\n");
    const error = await decodePackage(await packageOf(text, 2)).catch((e) => e);
    expect(error).toMatchObject({ code: "POS_MD_003" });
    expect(error.message).toContain("line 2");
    expect(error.message).toContain("price");
  });

  it.each([
    ["unknown entity", { entity: "planet", op: "upsert", value: { id: "x" } }],
    ["unknown op", { entity: "product", op: "merge", id: "x" }],
    ["delete without id", { entity: "product", op: "delete" }],
    ["not an object", [1, 2]],
  ])("rejects a row with %s", async (_label, row) => {
    await expect(decodePackage(await packageOf(JSON.stringify(row), 1))).rejects.toMatchObject({
      code: "POS_MD_003",
    });
  });

  it("rejects a line that is not JSON", async () => {
    await expect(decodePackage(await packageOf("{nope", 1))).rejects.toMatchObject({
      code: "POS_MD_003",
    });
  });

  it("rejects bytes that are not gzip, even with a matching checksum", async () => {
    const payload = new TextEncoder().encode('{"entity":"store"}');
    await expect(
      decodePackage({ payload, sha256: await sha256Hex(payload), rows: 1 }),
    ).rejects.toMatchObject({ code: "POS_MD_004" });
  });

  it("packs and unpacks 100k products (timing printed)", async () => {
    const rows = manyProducts(100_000);
    const started = performance.now();
    const encoded = await encodePackage(rows);
    const packed = performance.now();
    const decoded = await decodePackage(encoded);
    const done = performance.now();
    expect(decoded.length).toBe(100_000);
    expect(decoded[99_999]).toEqual(rows[99_999]);
    console.log(
      `100k products: encode ${(packed - started).toFixed(0)} ms, decode+verify ${(done - packed).toFixed(0)} ms, ` +
        `payload ${(encoded.payload.length / 1024).toFixed(0)} KiB`,
    );
  });
});
