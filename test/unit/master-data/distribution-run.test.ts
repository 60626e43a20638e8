import { Repo } from "@automerge/automerge-repo";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  runDeltaDistribution,
  runFullDistribution,
} from "../../../replication/master-data/distribution-run.ts";
import { readMasterDataLog } from "../../../replication/master-data/master-data-log.ts";
import { decodePackage } from "../../../replication/master-data/package-codec.ts";
import {
  StagingArea,
  type StagingSnapshot,
} from "../../../replication/master-data/staging-area.ts";
import { product, sampleCatalog } from "./fixtures.ts";

function packagesOf(doc: unknown) {
  const reading = readMasterDataLog(doc);
  if (!reading.ok) throw reading.error;
  return reading.packages;
}

describe("staging area and distribution runs", () => {
  let repo: Repo;
  let now = 1_700_000_000_000;
  const clock = () => now++;
  beforeEach(() => {
    repo = new Repo();
  });
  afterEach(async () => {
    await repo.shutdown();
  });

  it("validates edits on entry", async () => {
    const staging = new StagingArea();
    await expect(
      staging.upsert("product", { ...product("p1"), price: 1.25 }),
    ).rejects.toMatchObject({ code: "POS_MD_003" });
    expect(staging.pendingCount).toBe(0);
  });

  it("a full run starts a new log; deltas append with seq + 1; no changes, no package", async () => {
    const staging = new StagingArea();
    await staging.stageRows(sampleCatalog());
    const full = await runFullDistribution({
      repo,
      staging,
      dataGroupId: "dg-1",
      currentLog: undefined,
      clock,
    });
    if (full.kind === "none") throw new Error("expected a package");
    expect(full).toMatchObject({ kind: "full", seq: 1, rows: sampleCatalog().length });
    expect(full.logUrl).toBe(full.log.url);
    expect(staging.pendingCount).toBe(0);

    expect(await runDeltaDistribution({ staging, log: full.log, clock })).toEqual({ kind: "none" });

    await staging.upsert("product", product("p1", { price: 299 }));
    await staging.upsert("product", product("p1", { price: 349 }));
    await staging.delete("customer", "c2");
    await staging.delete("customer", "never-existed");
    await staging.upsert("tax-group", { id: "std", name: "Standard", rateBp: 2000 });
    const delta = await runDeltaDistribution({ staging, log: full.log, clock });
    expect(delta).toMatchObject({ kind: "delta", seq: 2, rows: 2, logUrl: full.logUrl });

    const packages = packagesOf(full.log.doc());
    expect(packages.map((p) => [p.seq, p.kind])).toEqual([
      [1, "full"],
      [2, "delta"],
    ]);
    expect(await decodePackage(packages[1]!)).toEqual([
      { entity: "product", op: "upsert", value: product("p1", { price: 349 }) },
      { entity: "customer", op: "delete", id: "c2" },
    ]);
    expect(packages[1]!.createdAt).toBeGreaterThan(packages[0]!.createdAt);
    expect(await runDeltaDistribution({ staging, log: full.log, clock })).toEqual({ kind: "none" });

    await staging.upsert("product", product("p8"));
    const next = await runFullDistribution({
      repo,
      staging,
      dataGroupId: "dg-1",
      currentLog: full.log,
      clock,
    });
    if (next.kind === "none") throw new Error("expected a package");
    expect(next.seq).toBe(3);
    expect(next.logUrl).not.toBe(full.logUrl);
    const fresh = packagesOf(next.log.doc());
    expect(fresh.map((p) => [p.seq, p.kind])).toEqual([[3, "full"]]);
    const snapshot = await decodePackage(fresh[0]!);
    expect(snapshot).toHaveLength(sampleCatalog().length);
    expect(snapshot).toContainEqual({ entity: "product", op: "upsert", value: product("p8") });
    expect(snapshot.some((row) => row.op === "upsert" && row.value.id === "c2")).toBe(false);
    expect(packagesOf(full.log.doc())).toHaveLength(2);
  });

  it("refuses a delta run before any log exists", async () => {
    const staging = new StagingArea();
    await staging.upsert("product", product("p1"));
    await expect(runDeltaDistribution({ staging, log: undefined, clock })).rejects.toMatchObject({
      code: "POS_MD_010",
    });
    expect(staging.pendingCount).toBe(1);
  });

  it("keeps an edit made during a run pending for the next run", async () => {
    const staging = new StagingArea();
    await staging.stageRows(sampleCatalog());
    const taken = staging.pendingChanges();
    await staging.upsert("product", product("p1", { price: 5 }));
    await staging.markDistributed(taken);
    expect(staging.pendingChanges().rows).toEqual([
      { entity: "product", op: "upsert", value: product("p1", { price: 5 }) },
    ]);
  });

  it("persists a JSON snapshot on every change and restores from it", async () => {
    const saved: StagingSnapshot[] = [];
    const staging = new StagingArea({ persist: (snapshot) => void saved.push(snapshot) });
    await staging.stageRows(sampleCatalog());
    const taken = staging.pendingChanges();
    await staging.markDistributed(taken);
    await staging.delete("product", "p2");
    const json = JSON.parse(JSON.stringify(saved.at(-1)));
    const restored = StagingArea.restore(json);
    expect(restored.get("product", "p2")).toBeUndefined();
    expect(restored.get("store", "s1")?.currency).toBe("EUR");
    expect(restored.pendingChanges().rows).toEqual([{ entity: "product", op: "delete", id: "p2" }]);
    expect(() =>
      StagingArea.restore({ version: 1, records: [{ entity: "x" }], pending: [] }),
    ).toThrow(/POS_MD_003/);
  });
});
