import { Repo } from "@automerge/automerge-repo";
import { IndexedDBStorageAdapter } from "@automerge/automerge-repo-storage-indexeddb";
import type { PosEvent } from "../../domain/events.ts";
import {
  appendToSalesLog,
  openSalesLog,
  type SalesLogKey,
} from "../../replication/documents/sales-log.ts";
import { IndexedDbMasterDataIndex } from "../../replication/master-data/indexeddb-master-data-index.ts";
import type { MasterDataRow } from "../../replication/master-data/master-data-row.ts";
import { decodePackage } from "../../replication/master-data/package-codec.ts";
import { BENCH_STORE_ID } from "../catalog.ts";
import { scanSession } from "../scan-session.ts";

/**
 * The page the browser figure drives in Chromium: the register's own modules (codec, IndexedDB
 * master data index, sales log on IndexedDB storage), bundled for the browser. Each function
 * returns its timings to the driver in bench/browser.ts.
 */

type PackageInfo = { readonly sha256: string; readonly rows: number };

async function provision(database: string): Promise<{ ms: number; products: number }> {
  const started = performance.now();
  const info = (await (await fetch("/package.json")).json()) as PackageInfo;
  const payload = new Uint8Array(await (await fetch("/package.bin")).arrayBuffer());
  const encoded = { payload, sha256: info.sha256, rows: info.rows };
  const rows = await decodePackage(encoded, { seq: 1 });
  const index = await IndexedDbMasterDataIndex.open(database);
  await index.apply({ seq: 1, kind: "full", rows, encoded });
  const ms = performance.now() - started;
  const products = (await index.counts()).product;
  await index.close();
  return { ms, products };
}

async function plainPut(database: string): Promise<{ ms: number; products: number }> {
  const started = performance.now();
  const rows = (await (await fetch("/rows.json")).json()) as MasterDataRow[];
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const request = indexedDB.open(database, 1);
    request.onupgradeneeded = () => request.result.createObjectStore("rows");
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  await new Promise<void>((resolve, reject) => {
    const tx = db.transaction("rows", "readwrite");
    const store = tx.objectStore("rows");
    for (let i = 0; i < rows.length; i++) store.put(rows[i], i);
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
  });
  const ms = performance.now() - started;
  db.close();
  return { ms, products: rows.length };
}

async function scan(
  database: string,
  documents: string,
  scans: number,
  products: number,
): Promise<{ timings: number[]; baseline: number[] }> {
  const index = await IndexedDbMasterDataIndex.open(database);
  const repo = new Repo({ storage: new IndexedDBStorageAdapter(documents, "documents") });
  const key: SalesLogKey = { storeId: BENCH_STORE_ID, registerId: "r1", businessDay: "2024-05-01" };
  const log = await openSalesLog(repo, key);
  const session = (append: (events: readonly PosEvent[]) => void) =>
    scanSession(index, scans, products, append, key.registerId);
  const timings = await session((events) => appendToSalesLog(log, events));
  const baseline = await session(() => {});
  await repo.shutdown().catch(() => undefined);
  await index.close();
  return { timings, baseline };
}

(globalThis as { bench?: unknown }).bench = { provision, plainPut, scan };
document.title = "ready";
