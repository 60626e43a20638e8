import { join } from "node:path";
import { runFullDistribution } from "../replication/master-data/distribution-run.ts";
import { FileMasterDataIndex } from "../replication/master-data/file-master-data-index.ts";
import type { MasterDataLogDoc } from "../replication/master-data/master-data-log.ts";
import {
  exactMasterDataRow,
  type MasterDataRow,
  parseMasterDataRow,
} from "../replication/master-data/master-data-row.ts";
import { PackageApplier } from "../replication/master-data/package-applier.ts";
import { sha256Hex } from "../replication/master-data/package-codec.ts";
import { StagingArea } from "../replication/master-data/staging-area.ts";
import { AtomicNodeFSStorageAdapter } from "../replication/storage/atomic-nodefs-storage-adapter.ts";
import { shutdownRepo } from "../replication/storage/shutdown-repo.ts";
import { barcodeOf, catalogRows } from "./catalog.ts";
import { type Figure, figureResult, summarise } from "./figures.ts";
import {
  scratchDirectory,
  startClientRepo,
  startHttpServer,
  startWebSocketHub,
  waitForPeer,
  waitUntil,
} from "./support.ts";

/**
 * Figure 1, provisioning a fresh register: a full package of the whole catalog, packed and
 * appended to a new master data log on the server, synced over a real WebSocket to a register
 * repo with atomic nodefs storage, verified and applied into the file index. Baseline: the same
 * rows served as one plain JSON array over HTTP, validated row by row and applied into the same
 * kind of file index.
 */

const GOAL_ROWS_PER_SECOND = 200_000;

type Phases = {
  readonly total: number;
  readonly pack: number;
  readonly sync: number;
  readonly apply: number;
};

async function ours(staging: StagingArea, rows: number, probe: string): Promise<Phases> {
  const scratch = await scratchDirectory("provisioning");
  const hub = await startWebSocketHub();
  const client = startClientRepo({
    url: hub.url,
    storage: new AtomicNodeFSStorageAdapter(join(scratch.path, "automerge")),
  });
  const index = await FileMasterDataIndex.open(join(scratch.path, "master-data"));
  const applier = new PackageApplier({ index, clock: () => performance.now() });
  try {
    await waitForPeer(client);
    await waitForPeer(hub.repo);
    const started = performance.now();
    const run = await runFullDistribution({
      repo: hub.repo,
      staging,
      dataGroupId: "store-1",
      currentLog: undefined,
      clock: Date.now,
    });
    if (run.kind === "none") throw new Error("the distribution run produced no package");
    const packed = performance.now();
    applier.follow(await client.find<MasterDataLogDoc>(run.logUrl));
    await waitUntil(() => applier.lastStatus?.appliedSeq === run.seq, "the package to be applied");
    const elapsed = performance.now() - started;
    if (
      applier.lastStatus?.rowsApplied !== rows ||
      (await index.productByBarcode(probe)) === undefined
    ) {
      throw new Error("provisioning did not apply every row");
    }
    const status = applier.lastStatus;
    if (status === undefined) throw new Error("no download attempt");
    return {
      total: elapsed,
      pack: packed - started,
      sync: status.startedAt - packed,
      apply: status.finishedAt - status.startedAt,
    };
  } finally {
    await applier.close();
    await index.close();
    await shutdownRepo(client).catch(() => undefined);
    await hub.stop();
    await scratch.remove();
  }
}

async function baseline(rows: readonly MasterDataRow[], probe: string): Promise<number> {
  const scratch = await scratchDirectory("provisioning-http");
  const server = await startHttpServer(async () => ({ status: 200, body: JSON.stringify(rows) }));
  const index = await FileMasterDataIndex.open(join(scratch.path, "master-data"));
  try {
    const started = performance.now();
    const response = await fetch(`${server.url}/catalog`);
    const body = new Uint8Array(await response.arrayBuffer());
    const parsed: unknown = JSON.parse(new TextDecoder().decode(body));
    if (!Array.isArray(parsed)) throw new Error("the catalog is not a JSON array");
    const valid: MasterDataRow[] = new Array(parsed.length);
    for (let i = 0; i < parsed.length; i++) {
      const exact = exactMasterDataRow(parsed[i]);
      if (exact !== undefined) {
        valid[i] = exact;
        continue;
      }
      const row = parseMasterDataRow(parsed[i]);
      if (!row.ok) throw new Error(`row ${i}: ${row.problem}`);
      valid[i] = row.row;
    }
    await index.apply({
      seq: 1,
      kind: "full",
      rows: valid,
      encoded: { payload: body, sha256: await sha256Hex(body), rows: valid.length },
    });
    const elapsed = performance.now() - started;
    if ((await index.productByBarcode(probe)) === undefined) throw new Error("row missing");
    return elapsed;
  } finally {
    await index.close();
    await server.stop();
    await scratch.remove();
  }
}

function phase(phases: readonly Phases[], name: keyof Phases): string {
  return summarise(phases.map((p) => p[name])).median.toFixed(0);
}

export const provisioning: Figure = {
  id: "provisioning",
  title: "Provisioning (full package, WebSocket, file index)",
  async run({ quick, runs }) {
    const products = quick ? 10_000 : 100_000;
    const rows = catalogRows(products);
    const staging = new StagingArea();
    await staging.stageRows(rows);
    const probe = barcodeOf(products - 1);
    const oursMs: number[] = [];
    const phases: Phases[] = [];
    const baselineMs: number[] = [];
    for (let i = 0; i < runs; i++) {
      const measured = await ours(staging, rows.length, probe);
      phases.push(measured);
      oursMs.push(measured.total);
      baselineMs.push(await baseline(rows, probe));
    }
    const rate = (ms: number) => Math.round(rows.length / (ms / 1000));
    return figureResult({
      id: "provisioning",
      title: `Provisioning ${products.toLocaleString("en")} products`,
      unit: "ms",
      ours: oursMs,
      baseline: baselineMs,
      baselineName: "JSON over HTTP",
      goal: `>= ${GOAL_ROWS_PER_SECOND / 1000}k rows/s and <= 2x baseline`,
      goalMet: (o, b) =>
        rate(o.median) >= GOAL_ROWS_PER_SECOND && b !== null && o.median <= 2 * b.median,
      notes: [
        `${rows.length} rows; ours ${rate(summarise(oursMs).median)} rows/s median ` +
          `(${rate(summarise(oursMs).max)}-${rate(summarise(oursMs).min)}), baseline ` +
          `${rate(summarise(baselineMs).median)} rows/s`,
        `ours by phase (medians): pack and append ${phase(phases, "pack")} ms, sync to the ` +
          `register ${phase(phases, "sync")} ms, verify, decode, validate, write and index ` +
          `${phase(phases, "apply")} ms`,
        "ours: pack (gzip NDJSON + SHA-256), append to a new master data log, sync over WebSocket, " +
          "verify checksum, decode and validate every row, write payload and manifest durably, index",
        "baseline: JSON.stringify on the server, fetch, JSON.parse, validate every row (the same fast path and zod fallback), write the " +
          "raw body and manifest durably, index",
      ],
    });
  },
};
