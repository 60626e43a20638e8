import { randomBytes } from "node:crypto";
import { promises as fs } from "node:fs";
import path from "node:path";
import type { Chunk, StorageAdapterInterface, StorageKey } from "@automerge/automerge-repo";
import { checkAutomergeChunks, sha256Hex } from "./automerge-chunk-check.ts";

/** A file found unreadable at load and moved aside. */
export type QuarantinedFile = {
  readonly key: StorageKey;
  readonly file: string;
  readonly movedTo: string;
  readonly reason: string;
};

/** Options of {@link AtomicNodeFSStorageAdapter}. */
export type AtomicNodeFSStorageOptions = {
  /** Where torn or corrupt files go; default `<baseDirectory>/quarantine`. */
  readonly quarantineDirectory?: string;
  /** Told of every file moved to quarantine; default writes one line with console.warn. */
  readonly onQuarantine?: (file: QuarantinedFile) => void;
};

const TEMP_MARKER = ".tmp-";
const QUARANTINE = "quarantine";
const STALE_TEMP_MS = 60_000;

/**
 * Automerge-repo storage on the local disk that survives crashes: the same directory layout as
 * `NodeFSStorageAdapter` (`<base>/<first 2 chars of key[0]>/<rest of key[0]>/<key[1]>/...`), so
 * existing data loads unchanged, with two differences:
 *
 * - Writes are atomic. The stock adapter writes the file in place (`fs.writeFile`), so a crash
 *   or power cut mid-write leaves a torn chunk that Automerge then fails to load. Here each
 *   write goes to a temporary file in the same directory, is fsynced, then renamed over the
 *   target: a reader sees the old file or the new one, never half of one.
 * - Loads never crash on bad data. Every Automerge chunk file is checked (chunk framing and
 *   checksums; incremental chunks also against the hash in their name). A torn or corrupt file
 *   is moved to the quarantine folder, reported with a clear log line, and treated as absent:
 *   the repo loads the rest and sync restores what was lost from peers.
 *
 * It is a separate implementation rather than a subclass because the stock adapter's path
 * helpers and cache are private, and it keeps every saved chunk in memory for the life of the
 * process, which a register selling all day should not do.
 */
export class AtomicNodeFSStorageAdapter implements StorageAdapterInterface {
  readonly #base: string;
  readonly #quarantineDirectory: string;
  readonly #onQuarantine: (file: QuarantinedFile) => void;
  readonly #quarantined: QuarantinedFile[] = [];

  constructor(baseDirectory: string, options: AtomicNodeFSStorageOptions = {}) {
    this.#base = path.resolve(baseDirectory);
    this.#quarantineDirectory = options.quarantineDirectory ?? path.join(this.#base, QUARANTINE);
    this.#onQuarantine =
      options.onQuarantine ??
      ((file) =>
        console.warn(
          `[storage] quarantined unreadable file ${file.file} (${file.reason}); ` +
            `moved to ${file.movedTo}. The document loads without it; peers resend what it held.`,
        ));
  }

  /** Files moved to quarantine since this adapter was created. */
  get quarantined(): readonly QuarantinedFile[] {
    return this.#quarantined;
  }

  async load(key: StorageKey): Promise<Uint8Array | undefined> {
    const file = this.#filePath(key);
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await fs.readFile(file));
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
    const problem = checkChunkFile(key, bytes);
    if (problem === null) return bytes;
    await this.#quarantine(key, file, problem);
    return undefined;
  }

  async save(key: StorageKey, data: Uint8Array): Promise<void> {
    const file = this.#filePath(key);
    const directory = path.dirname(file);
    await fs.mkdir(directory, { recursive: true });
    const temp = `${file}${TEMP_MARKER}${randomBytes(6).toString("hex")}`;
    const handle = await fs.open(temp, "w");
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await fs.rename(temp, file);
    } catch (error) {
      await fs.rm(temp, { force: true });
      throw error;
    }
    await syncDirectory(directory);
  }

  async remove(key: StorageKey): Promise<void> {
    await fs.rm(this.#filePath(key), { force: true });
  }

  async loadRange(keyPrefix: StorageKey): Promise<Chunk[]> {
    const files = await walk(this.#filePath(keyPrefix));
    const chunks: Chunk[] = [];
    for (const file of files) {
      if (path.basename(file).includes(TEMP_MARKER)) {
        await removeIfStale(file);
        continue;
      }
      const key = this.#keyOf(file);
      const data = await this.load(key);
      if (data !== undefined) chunks.push({ key, data });
    }
    return chunks;
  }

  async removeRange(keyPrefix: StorageKey): Promise<void> {
    await fs.rm(this.#filePath(keyPrefix), { recursive: true, force: true });
  }

  #filePath(key: StorageKey): string {
    const [first = "", ...rest] = key;
    return path.join(this.#base, first.slice(0, 2), first.slice(2), ...rest);
  }

  #keyOf(file: string): StorageKey {
    const [head = "", second = "", ...rest] = path.relative(this.#base, file).split(path.sep);
    return [head + second, ...rest];
  }

  async #quarantine(key: StorageKey, file: string, reason: string): Promise<void> {
    const name = `${key.join("_")}.${Date.now()}-${randomBytes(3).toString("hex")}`;
    const movedTo = path.join(this.#quarantineDirectory, name);
    await fs.mkdir(this.#quarantineDirectory, { recursive: true });
    await fs.rename(file, movedTo);
    const report: QuarantinedFile = { key, file, movedTo, reason };
    this.#quarantined.push(report);
    this.#onQuarantine(report);
  }
}

/** Why an automerge-repo chunk file cannot be used, or null; other keys are not checked. */
function checkChunkFile(key: StorageKey, bytes: Uint8Array): string | null {
  const kind = key[1];
  if (kind !== "snapshot" && kind !== "incremental") return null;
  const problem = checkAutomergeChunks(bytes);
  if (problem !== null) return problem;
  const name = key[2];
  if (kind === "incremental" && name !== undefined && sha256Hex(bytes) !== name) {
    return "content does not match the hash in its name";
  }
  return null;
}

/**
 * A temporary file older than a minute was left by a crash between write and rename (the
 * target still holds the previous version): remove it. Younger ones may be a save in progress.
 */
async function removeIfStale(file: string): Promise<void> {
  try {
    const { mtimeMs } = await fs.stat(file);
    if (Date.now() - mtimeMs > STALE_TEMP_MS) await fs.rm(file, { force: true });
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
}

async function syncDirectory(directory: string): Promise<void> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(directory, "r");
    await handle.sync();
  } catch {
    // Some platforms cannot fsync a directory; the rename is still atomic there.
  } finally {
    await handle?.close();
  }
}

async function walk(directory: string): Promise<string[]> {
  let entries: import("node:fs").Dirent[];
  try {
    entries = await fs.readdir(directory, { withFileTypes: true });
  } catch (error) {
    if (isNotFound(error)) return [];
    throw error;
  }
  const nested = await Promise.all(
    entries.map((entry) => {
      const full = path.join(directory, entry.name);
      return entry.isDirectory() ? walk(full) : Promise.resolve([full]);
    }),
  );
  return nested.flat();
}

function isNotFound(error: unknown): boolean {
  return typeof error === "object" && error !== null && "code" in error && error.code === "ENOENT";
}
