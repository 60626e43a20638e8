import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FileMasterDataIndex } from "../../../replication/master-data/file-master-data-index.ts";
import { manyProducts, product, sampleCatalog, verified } from "./fixtures.ts";

describe("file master data index", () => {
  let directory: string;
  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), "pos-md-file-"));
  });
  afterEach(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it("resumes cleanly after a crash between the payload write and the manifest rename", async () => {
    const first = await FileMasterDataIndex.open(directory);
    await first.apply(await verified(1, "full", sampleCatalog()));
    await first.close();

    const delta = await verified(2, "delta", [
      { entity: "product", op: "upsert", value: product("p5") },
      { entity: "product", op: "delete", id: "p1" },
    ]);
    const crashing = await FileMasterDataIndex.open(directory, {
      crashAt: "after-payload-written",
    });
    await expect(crashing.apply(delta)).rejects.toMatchObject({ code: "POS_MD_009" });
    expect(await readdir(join(directory, "packages"))).toHaveLength(2);
    // A manifest written but not yet renamed is what the other crash window leaves behind.
    await writeFile(join(directory, "manifest.json.tmp"), "{ half written");

    const restarted = await FileMasterDataIndex.open(directory);
    expect(await restarted.appliedSeq()).toBe(1);
    expect(await restarted.productById("p1")).toBeDefined();
    expect(await restarted.productById("p5")).toBeUndefined();
    expect(await readdir(join(directory, "packages"))).toHaveLength(1);
    expect(await readdir(directory)).not.toContain("manifest.json.tmp");

    expect(await restarted.apply(delta)).toBe("applied");
    const again = await FileMasterDataIndex.open(directory);
    expect(await again.appliedSeq()).toBe(2);
    expect(await again.productById("p5")).toBeDefined();
    expect(await again.productById("p1")).toBeUndefined();
  });

  it("drops the files a full package replaces", async () => {
    const index = await FileMasterDataIndex.open(directory);
    await index.apply(await verified(1, "full", sampleCatalog()));
    await index.apply(await verified(2, "delta", [{ entity: "product", op: "delete", id: "p1" }]));
    expect(index.manifest.packages.map((p) => p.seq)).toEqual([1, 2]);
    await index.apply(
      await verified(3, "full", [{ entity: "product", op: "upsert", value: product("p1") }]),
    );
    expect(index.manifest.packages.map((p) => p.seq)).toEqual([3]);
    expect(await readdir(join(directory, "packages"))).toEqual([index.manifest.packages[0]!.file]);
  });

  it("refuses to start from a damaged payload file", async () => {
    const index = await FileMasterDataIndex.open(directory);
    await index.apply(await verified(1, "full", sampleCatalog()));
    const file = join(directory, "packages", index.manifest.packages[0]!.file);
    const bytes = await readFile(file);
    bytes[10] = (bytes[10]! + 1) % 256;
    await writeFile(file, bytes);
    const error = await FileMasterDataIndex.open(directory).catch((e) => e);
    expect(error).toMatchObject({ code: "POS_MD_009" });
    expect(error.cause).toMatchObject({ code: "POS_MD_001" });
  });

  it("rebuilds 100k products at cold start (timing printed)", async () => {
    const index = await FileMasterDataIndex.open(directory);
    await index.apply(await verified(1, "full", manyProducts(100_000)));
    const started = performance.now();
    const reopened = await FileMasterDataIndex.open(directory);
    const elapsed = performance.now() - started;
    expect((await reopened.counts()).product).toBe(100_000);
    expect((await reopened.productByBarcode(String(4_000_000_099_999)))?.id).toBe("p99999");
    console.log(`file index cold start, 100k products: ${elapsed.toFixed(0)} ms`);
  });
});
