import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { MASTER_DATA_ERROR_CODES } from "../../../replication/master-data/master-data-error.ts";
import { nodeGzip } from "../../../replication/master-data/node-gzip.ts";
import {
  decodePackage,
  encodePackage,
  sha256Hex,
  webGzip,
} from "../../../replication/master-data/package-codec.ts";
import { manyProducts, sampleCatalog } from "./fixtures.ts";

describe("package compressors", () => {
  it("packs the same rows with the web and the Node gzip, and both decode alike", async () => {
    const rows = [...sampleCatalog(), ...manyProducts(2_000)];
    const web = await encodePackage(rows, { compress: webGzip });
    const node = await encodePackage(rows, { compress: nodeGzip });
    expect(await decodePackage(web)).toEqual(rows);
    expect(await decodePackage(node)).toEqual(rows);
    expect(gunzipSync(web.payload).equals(gunzipSync(node.payload))).toBe(true);
  });

  it("still rejects a damaged Node-packed payload with the codec's codes", async () => {
    const node = await encodePackage(manyProducts(50), { compress: nodeGzip });
    const damaged = node.payload.slice();
    damaged[damaged.length >> 1] = (damaged[damaged.length >> 1] ?? 0) ^ 0xff;
    await expect(decodePackage({ ...node, payload: damaged })).rejects.toMatchObject({
      code: MASTER_DATA_ERROR_CODES.checksumMismatch,
    });
    await expect(
      decodePackage({ ...node, payload: damaged, sha256: await sha256Hex(damaged) }),
    ).rejects.toMatchObject({ code: MASTER_DATA_ERROR_CODES.unreadablePayload });
  });

  it("both pack an empty package and a package that spans several pieces of text", async () => {
    for (const compress of [webGzip, nodeGzip]) {
      const empty = await encodePackage([], { compress });
      expect(gunzipSync(empty.payload).length).toBe(0);
      expect(await decodePackage(empty)).toEqual([]);
      const rows = manyProducts(12_001);
      const text = gunzipSync((await encodePackage(rows, { compress })).payload).toString("utf8");
      expect(text).toBe(rows.map((row) => JSON.stringify(row)).join("\n"));
    }
  });
});
