import { ImmutableString } from "@automerge/automerge";
import type { DocHandle } from "@automerge/automerge-repo";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  runDeltaDistribution,
  runFullDistribution,
} from "../../../replication/master-data/distribution-run.ts";
import type { MasterDataLogDoc } from "../../../replication/master-data/master-data-log.ts";
import { MemoryMasterDataIndex } from "../../../replication/master-data/memory-master-data-index.ts";
import {
  type MasterDataDownloadStatus,
  PackageApplier,
} from "../../../replication/master-data/package-applier.ts";
import { encodePackage } from "../../../replication/master-data/package-codec.ts";
import { StagingArea } from "../../../replication/master-data/staging-area.ts";
import { type ConnectedRepos, connectedRepos, waitUntil } from "./connected-repos.ts";
import { product, sampleCatalog } from "./fixtures.ts";

/** Writes a raw entry, bypassing appendPackage's guard, as a faulty or hostile writer could. */
async function pushRaw(
  log: DocHandle<MasterDataLogDoc>,
  seq: number,
  kind: "full" | "delta",
  rows: Parameters<typeof encodePackage>[0],
  tamper: (entry: { sha256: string; rows: number }) => void = () => undefined,
): Promise<void> {
  const encoded = await encodePackage(rows);
  const meta = { sha256: encoded.sha256, rows: encoded.rows };
  tamper(meta);
  log.change((doc) => {
    doc.packages.push({
      seq,
      kind: new ImmutableString(kind),
      rows: meta.rows,
      sha256: new ImmutableString(meta.sha256),
      createdAt: 1_700_000_000_000 + seq,
      payload: encoded.payload,
    });
  });
}

describe("package applier over a real WebSocket", () => {
  let peers: ConnectedRepos;
  let index: MemoryMasterDataIndex;
  let applier: PackageApplier;
  let statuses: MasterDataDownloadStatus[];
  let now = 0;
  const clock = () => ++now;

  beforeEach(async () => {
    peers = await connectedRepos();
    index = new MemoryMasterDataIndex();
    applier = new PackageApplier({ index, clock });
    statuses = [];
    applier.subscribe((status) => statuses.push(status));
  });
  afterEach(async () => {
    await applier.close();
    await peers.close();
  });

  async function follow(url: DocHandle<MasterDataLogDoc>["url"]): Promise<void> {
    applier.follow(await peers.client.find<MasterDataLogDoc>(url));
  }

  const reached = (seq: number) =>
    waitUntil(() => applier.lastStatus?.appliedSeq === seq, `applied seq ${seq}`);

  it("applies packages in seq order as headquarters distributes them; re-applying is a no-op", async () => {
    const staging = new StagingArea();
    await staging.stageRows(sampleCatalog());
    const full = await runFullDistribution({
      repo: peers.server,
      staging,
      dataGroupId: "dg",
      currentLog: undefined,
      clock,
    });
    if (full.kind === "none") throw new Error("expected a package");
    await follow(full.logUrl);
    await reached(1);
    expect(applier.lastStatus).toMatchObject({
      result: "applied",
      packagesApplied: 1,
      rowsApplied: sampleCatalog().length,
      error: null,
    });

    await staging.upsert("product", product("p1", { price: 1 }));
    await runDeltaDistribution({ staging, log: full.log, clock });
    await staging.delete("product", "p1");
    await staging.upsert("product", product("p3"));
    await runDeltaDistribution({ staging, log: full.log, clock });
    await reached(3);
    expect(await index.productById("p1")).toBeUndefined();
    expect(await index.productById("p3")).toBeDefined();
    const appliedSeqs = statuses.filter((s) => s.packagesApplied > 0).map((s) => s.appliedSeq);
    expect(appliedSeqs).toEqual([...appliedSeqs].sort((a, b) => a - b));
    expect(statuses.every((s) => s.error === null)).toBe(true);

    const again = await applier.sync();
    expect(again).toMatchObject({ result: "up-to-date", packagesApplied: 0, appliedSeq: 3 });
    expect(again.startedAt).toBeLessThanOrEqual(again.finishedAt);
  });

  it("waits at a gap and continues when the missing package arrives", async () => {
    const log = peers.server.create<MasterDataLogDoc>({
      kind: new ImmutableString("master-data-log"),
      dataGroupId: new ImmutableString("dg"),
      packages: [],
    });
    await pushRaw(log, 1, "full", sampleCatalog());
    await pushRaw(log, 3, "delta", [{ entity: "product", op: "upsert", value: product("p3") }]);
    await follow(log.url);
    await waitUntil(() => applier.lastStatus?.result === "waiting", "a waiting status");
    expect(applier.lastStatus).toMatchObject({ appliedSeq: 1, waitingForSeq: 2, error: null });
    expect(await index.productById("p3")).toBeUndefined();

    await pushRaw(log, 2, "delta", [{ entity: "product", op: "delete", id: "p1" }]);
    await reached(3);
    expect(applier.lastStatus).toMatchObject({ result: "applied", waitingForSeq: null });
    expect(await index.productById("p1")).toBeUndefined();
    expect(await index.productById("p3")).toBeDefined();
  });

  it("rejects a corrupt package visibly, keeps the applied data, and recovers with a new full log", async () => {
    const staging = new StagingArea();
    await staging.stageRows(sampleCatalog());
    const first = await runFullDistribution({
      repo: peers.server,
      staging,
      dataGroupId: "dg",
      currentLog: undefined,
      clock,
    });
    if (first.kind === "none") throw new Error("expected a package");
    await follow(first.logUrl);
    await reached(1);

    await pushRaw(first.log, 2, "delta", [{ entity: "product", op: "delete", id: "p1" }], (m) => {
      m.sha256 = "0".repeat(64);
    });
    await waitUntil(() => applier.lastStatus?.result === "failed", "a failed status");
    expect(applier.lastStatus?.error).toMatchObject({ code: "POS_MD_001", seq: 2 });
    expect(applier.lastStatus?.appliedSeq).toBe(1);
    expect(await index.productById("p1")).toBeDefined();
    expect((await applier.sync()).result).toBe("failed");

    await pushRaw(first.log, 3, "delta", [], (m) => {
      m.rows = 5;
    });
    await staging.upsert("product", product("p9"));
    const second = await runFullDistribution({
      repo: peers.server,
      staging,
      dataGroupId: "dg",
      currentLog: first.log,
      clock,
    });
    if (second.kind === "none") throw new Error("expected a package");
    expect(second.seq).toBe(4);
    await follow(second.logUrl);
    await reached(4);
    expect(applier.lastStatus).toMatchObject({
      result: "applied",
      error: null,
      packagesApplied: 1,
    });
    expect(await index.productById("p9")).toBeDefined();
    expect(await index.productById("p1")).toBeDefined();
  });

  it("reports quarantined log entries and fails when one blocks the next seq", async () => {
    const log = peers.server.create<MasterDataLogDoc>({
      kind: new ImmutableString("master-data-log"),
      dataGroupId: new ImmutableString("dg"),
      packages: [],
    });
    await pushRaw(log, 1, "full", sampleCatalog());
    log.change((doc) => {
      (doc.packages as unknown[]).push({ seq: 2, kind: "delta", rows: "many" });
    });
    await follow(log.url);
    await waitUntil(() => applier.lastStatus?.result === "failed", "a failed status");
    expect(applier.lastStatus).toMatchObject({ appliedSeq: 1, waitingForSeq: 2 });
    expect(applier.lastStatus?.error).toMatchObject({ code: "POS_MD_006", seq: 2 });
    expect(applier.lastStatus?.quarantined).toEqual([
      expect.objectContaining({ index: 1, seq: 2 }),
    ]);
  });

  it("a full package replaces everything on the register", async () => {
    const log = peers.server.create<MasterDataLogDoc>({
      kind: new ImmutableString("master-data-log"),
      dataGroupId: new ImmutableString("dg"),
      packages: [],
    });
    await pushRaw(log, 1, "full", sampleCatalog());
    await follow(log.url);
    await reached(1);
    const next = peers.server.create<MasterDataLogDoc>({
      kind: new ImmutableString("master-data-log"),
      dataGroupId: new ImmutableString("dg"),
      packages: [],
    });
    await pushRaw(next, 2, "full", [{ entity: "product", op: "upsert", value: product("only") }]);
    await follow(next.url);
    await reached(2);
    expect(await index.counts()).toMatchObject({ product: 1, customer: 0, store: 0 });
  });
});
