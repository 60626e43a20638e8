import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Repo } from "@automerge/automerge-repo";
import {
  appendToSalesLog,
  openSalesLog,
  type SalesLogKey,
} from "../replication/documents/sales-log.ts";
import { FileMasterDataIndex } from "../replication/master-data/file-master-data-index.ts";
import { encodePackage } from "../replication/master-data/package-codec.ts";
import { AtomicNodeFSStorageAdapter } from "../replication/storage/atomic-nodefs-storage-adapter.ts";
import { shutdownRepo } from "../replication/storage/shutdown-repo.ts";
import { catalogRows } from "./catalog.ts";
import { offlineSales } from "./sales.ts";

/**
 * A register's disk as the child-process figures find it: the file index holding the catalog,
 * the same rows as one plain JSON file (for the baselines), and optionally a sales log.
 */
export type PreparedCatalog = {
  readonly indexDirectory: string;
  readonly jsonFile: string;
  readonly rows: number;
};

export async function prepareCatalog(
  directory: string,
  products: number,
): Promise<PreparedCatalog> {
  const rows = catalogRows(products);
  const indexDirectory = join(directory, "master-data");
  const index = await FileMasterDataIndex.open(indexDirectory);
  await index.apply({ seq: 1, kind: "full", rows, encoded: await encodePackage(rows) });
  await index.close();
  const jsonFile = join(directory, "catalog.json");
  await writeFile(jsonFile, JSON.stringify(rows));
  return { indexDirectory, jsonFile, rows: rows.length };
}

/**
 * Writes the first `events` events of a register's day (one change per command) to atomic
 * nodefs storage in `directory`, and shuts the repo down so everything is on disk.
 */
export async function prepareSalesLog(
  directory: string,
  key: SalesLogKey,
  events: number,
  catalogSize: number,
): Promise<void> {
  const batches = offlineSales(key.registerId, Math.ceil(events / 9) + 1, catalogSize);
  const repo = new Repo({ storage: new AtomicNodeFSStorageAdapter(directory) });
  const log = await openSalesLog(repo, key);
  let written = 0;
  for (const batch of batches) {
    if (written + batch.length > events) break;
    appendToSalesLog(log, batch);
    written += batch.length;
  }
  if (written !== events) throw new Error(`wrote ${written} of ${events} events`);
  await shutdownRepo(repo);
}
