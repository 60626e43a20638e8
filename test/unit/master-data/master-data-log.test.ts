import { ImmutableString, isImmutableString } from "@automerge/automerge";
import { Repo } from "@automerge/automerge-repo";
import { afterAll, describe, expect, it } from "vitest";
import {
  appendPackage,
  createMasterDataLog,
  type DataPackage,
  readMasterDataLog,
} from "../../../replication/master-data/master-data-log.ts";
import { encodePackage } from "../../../replication/master-data/package-codec.ts";
import { sampleCatalog } from "./fixtures.ts";

async function pkg(seq: number, kind: "full" | "delta" = "delta"): Promise<DataPackage> {
  const encoded = await encodePackage(sampleCatalog().slice(0, seq));
  return { seq, kind, createdAt: 1000 + seq, ...encoded };
}

describe("master data log document", () => {
  const repo = new Repo();
  afterAll(async () => {
    await repo.shutdown();
  });

  it("stores strings as ImmutableString and the payload as bytes, one change per append", async () => {
    const handle = createMasterDataLog(repo, "dg-1", await pkg(1, "full"));
    appendPackage(handle, await pkg(2));
    const doc = handle.doc();
    expect(isImmutableString(doc.kind)).toBe(true);
    expect(isImmutableString(doc.packages[1]!.sha256)).toBe(true);
    expect(doc.packages[1]!.payload).toBeInstanceOf(Uint8Array);
    expect(handle.history()).toHaveLength(2);
    const reading = readMasterDataLog(doc);
    expect(reading.ok && reading.packages.map((p) => p.seq)).toEqual([1, 2]);
    expect(reading.ok && reading.dataGroupId).toBe("dg-1");
  });

  it("refuses an append that would leave a gap or repeat a seq", async () => {
    const handle = createMasterDataLog(repo, "dg-1", await pkg(1, "full"));
    const repeated = await pkg(1);
    expect(() => appendPackage(handle, repeated)).toThrow(/POS_MD_008/);
    await expect(pkg(3).then((p) => appendPackage(handle, p))).rejects.toMatchObject({
      code: "POS_MD_008",
    });
    expect(handle.doc().packages).toHaveLength(1);
  });

  it("quarantines invalid entries from a peer and keeps the valid ones", async () => {
    const good = await pkg(1, "full");
    const reading = readMasterDataLog({
      kind: new ImmutableString("master-data-log"),
      dataGroupId: "dg-1",
      packages: [
        { ...good, kind: new ImmutableString("full"), sha256: new ImmutableString(good.sha256) },
        { ...good, seq: 2, kind: "sideways" },
        { ...good, seq: 3, payload: "not bytes" },
        { ...good, seq: 1 },
        "garbage",
      ],
    });
    if (!reading.ok) throw reading.error;
    expect(reading.packages.map((p) => p.seq)).toEqual([1]);
    expect(reading.packages[0]!.sha256).toBe(good.sha256);
    expect(reading.quarantined.map((q) => [q.index, q.seq])).toEqual([
      [1, 2],
      [2, 3],
      [3, 1],
      [4, undefined],
    ]);
  });

  it("reports a document that is not a master data log without throwing", () => {
    for (const doc of [
      null,
      42,
      { kind: "sales-log", dataGroupId: "x", packages: [] },
      { kind: "master-data-log" },
    ]) {
      const reading = readMasterDataLog(doc);
      expect(reading.ok).toBe(false);
      expect(!reading.ok && reading.error.code).toBe("POS_MD_007");
    }
  });
});
