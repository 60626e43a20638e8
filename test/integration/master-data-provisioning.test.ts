import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NodeFSStorageAdapter } from "@automerge/automerge-repo-storage-nodefs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runFullDistribution } from "../../replication/master-data/distribution-run.ts";
import { FileMasterDataIndex } from "../../replication/master-data/file-master-data-index.ts";
import type { MasterDataLogDoc } from "../../replication/master-data/master-data-log.ts";
import { PackageApplier } from "../../replication/master-data/package-applier.ts";
import { StagingArea } from "../../replication/master-data/staging-area.ts";
import {
  type ConnectedRepos,
  connectedRepos,
  waitUntil,
} from "../unit/master-data/connected-repos.ts";
import { manyProducts, sampleCatalog } from "../unit/master-data/fixtures.ts";

const PRODUCTS = 100_000;

describe("provisioning a fresh register with a 100k-product catalog", () => {
  let directory: string;
  let peers: ConnectedRepos;

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), "pos-md-provisioning-"));
    peers = await connectedRepos({
      clientStorage: new NodeFSStorageAdapter(join(directory, "automerge")),
    });
  });
  afterAll(async () => {
    await peers.close();
    await rm(directory, { recursive: true, force: true });
  });

  it("sends one full package over WebSocket, verifies it and indexes it into the file index", async () => {
    const staging = new StagingArea();
    await staging.stageRows([
      ...sampleCatalog().filter((row) => row.entity !== "product"),
      ...manyProducts(PRODUCTS),
    ]);
    const index = await FileMasterDataIndex.open(join(directory, "master-data"));
    const applier = new PackageApplier({ index, clock: Date.now });

    const started = performance.now();
    const run = await runFullDistribution({
      repo: peers.server,
      staging,
      dataGroupId: "store-1",
      currentLog: undefined,
      clock: Date.now,
    });
    if (run.kind === "none") throw new Error("expected a full package");
    const packed = performance.now();
    applier.follow(await peers.client.find<MasterDataLogDoc>(run.logUrl));
    await waitUntil(
      () => applier.lastStatus?.appliedSeq === 1,
      "the package to be applied",
      60_000,
    );
    const done = performance.now();

    expect(applier.lastStatus).toMatchObject({
      result: "applied",
      error: null,
      packagesApplied: 1,
    });
    expect(applier.lastStatus?.rowsApplied).toBe(run.rows);
    expect((await index.counts()).product).toBe(PRODUCTS);
    expect((await index.productByBarcode(String(4_000_000_000_000 + 54_321)))?.id).toBe("p54321");
    expect((await index.store())?.id).toBe("s1");
    await applier.close();
    await index.close();

    const coldStart = performance.now();
    const reopened = await FileMasterDataIndex.open(join(directory, "master-data"));
    const reopenedMs = performance.now() - coldStart;
    expect(await reopened.appliedSeq()).toBe(1);
    expect((await reopened.counts()).product).toBe(PRODUCTS);

    const totalMs = done - started;
    console.log(
      `master data provisioning: ${run.rows} rows, pack+append ${(packed - started).toFixed(0)} ms, ` +
        `sync+verify+index ${(done - packed).toFixed(0)} ms, total ${totalMs.toFixed(0)} ms ` +
        `(${Math.round(run.rows / (totalMs / 1000))} rows/s); file index cold start ${reopenedMs.toFixed(0)} ms`,
    );
  });
});
