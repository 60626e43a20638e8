import { open, readFile, rename } from "node:fs/promises";
import { join } from "node:path";
import {
  StagingArea,
  type StagingSnapshot,
} from "../../../replication/master-data/staging-area.ts";

/**
 * The staging area kept on disk as `<dataDir>/staging.json`: every write goes to a temporary
 * file, is fsynced and renamed over the old one, so a crash leaves the previous or the new
 * staging, never half of one. Writes are serialised: the last one wins, in order.
 */

export const STAGING_FILE = "staging.json";

export type StagingFile = {
  readonly path: string;
  /** Persists a snapshot (what `StagingArea` hands its `persist` option). */
  save(snapshot: StagingSnapshot): Promise<void>;
  /** Waits for every write handed over so far. */
  flush(): Promise<void>;
};

/** Opens the staging file of `dataDir` for writing. */
export function stagingFile(dataDir: string): StagingFile {
  const path = join(dataDir, STAGING_FILE);
  let writing: Promise<void> = Promise.resolve();
  let counter = 0;
  const write = async (snapshot: StagingSnapshot): Promise<void> => {
    const temporary = `${path}.tmp-${process.pid}-${++counter}`;
    const file = await open(temporary, "w", 0o600);
    try {
      await file.writeFile(JSON.stringify(snapshot));
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temporary, path);
  };
  return {
    path,
    save(snapshot) {
      const next = writing.then(() => write(snapshot));
      writing = next.catch(() => {});
      return next;
    },
    flush: () => writing,
  };
}

/**
 * Restores the staging area saved in `dataDir`, wired to save every later change there; null
 * when nothing was saved yet (first start).
 *
 * @throws {import("../../../replication/master-data/master-data-error.ts").MasterDataError}
 * when the file exists but does not hold a valid staging snapshot.
 */
export async function loadStagingArea(file: StagingFile): Promise<StagingArea | null> {
  let text: string;
  try {
    text = await readFile(file.path, "utf8");
  } catch (error) {
    if (error instanceof Error && "code" in error && error.code === "ENOENT") return null;
    throw error;
  }
  return StagingArea.restore(JSON.parse(text), { persist: (snapshot) => file.save(snapshot) });
}
