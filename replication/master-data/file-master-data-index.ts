import { mkdir, open, readdir, readFile, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { MASTER_DATA_ERROR_CODES, MasterDataError } from "./master-data-error.ts";
import { type ApplyOutcome, checkSequence, type VerifiedPackage } from "./master-data-index.ts";
import type { PackageKind } from "./master-data-log.ts";
import { MemoryMasterDataIndex } from "./memory-master-data-index.ts";
import { decodePackage } from "./package-codec.ts";

/**
 * Master data index for Node registers: the verified package payloads are kept as files and a
 * manifest lists the packages that make up the current data, with the applied seq. The manifest
 * is replaced by write-then-rename, so the applied seq and the data it covers change in one step;
 * a payload file written before a crash but not yet in the manifest is ignored and removed at the
 * next start, and the package is simply applied again. Reads are served from memory, rebuilt from
 * the stored packages at start.
 */

const MANIFEST = "manifest.json";
const MANIFEST_TEMP = "manifest.json.tmp";
const PACKAGES = "packages";
/**
 * The package kinds, spelled here rather than imported from the master data log so that opening
 * the index never loads Automerge (its WebAssembly costs a register ~22 MB it does not need here).
 */
const PACKAGE_KINDS = ["full", "delta"] as const satisfies readonly PackageKind[];

const manifestSchema = z.object({
  version: z.literal(1),
  appliedSeq: z.number().int().nonnegative(),
  packages: z.array(
    z.object({
      seq: z.number().int().positive(),
      kind: z.enum(PACKAGE_KINDS),
      rows: z.number().int().nonnegative(),
      sha256: z.string().regex(/^[0-9a-f]{64}$/),
      file: z.string().regex(/^[0-9]+-[0-9a-f]{64}\.ndjson\.gz$/),
    }),
  ),
});

/** The manifest: packages since the last full one, in seq order. */
export type FileIndexManifest = z.infer<typeof manifestSchema>;

function storageError(directory: string, what: string, cause: unknown): MasterDataError {
  return new MasterDataError(
    MASTER_DATA_ERROR_CODES.indexStorage,
    `Cannot ${what} the register's master data in ${directory}. Check the disk; if the data is ` +
      "damaged, delete that folder and restart the register to download master data again.",
    { cause },
  );
}

async function writeDurably(path: string, bytes: Uint8Array | string): Promise<void> {
  const handle = await open(path, "w");
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Makes a rename durable where the platform allows syncing a directory (not on Windows). */
async function syncDirectory(path: string): Promise<void> {
  try {
    const handle = await open(path, "r");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Directory sync is unsupported on some platforms; the rename itself is still atomic.
  }
}

/** Test seam: lets a test stop an apply between two steps, as a crash would. */
export type FileIndexCrashPoint = "after-payload-written";

export class FileMasterDataIndex extends MemoryMasterDataIndex {
  readonly #directory: string;
  #manifest: FileIndexManifest;
  readonly #crashAt: FileIndexCrashPoint | undefined;

  private constructor(
    directory: string,
    manifest: FileIndexManifest,
    crashAt: FileIndexCrashPoint | undefined,
  ) {
    super();
    this.#directory = directory;
    this.#manifest = manifest;
    this.#crashAt = crashAt;
  }

  /**
   * Opens (creating if needed) the index in `directory` and rebuilds the in-memory tables from the
   * stored packages, verifying each checksum again. Rows are not validated again: they were
   * validated before their payload was stored, and a matching checksum proves they are unchanged.
   *
   * @throws {MasterDataError} `POS_MD_009` when the stored data cannot be read or is damaged.
   */
  static async open(
    directory: string,
    options: { readonly crashAt?: FileIndexCrashPoint } = {},
  ): Promise<FileMasterDataIndex> {
    let manifest: FileIndexManifest = { version: 1, appliedSeq: 0, packages: [] };
    try {
      await mkdir(join(directory, PACKAGES), { recursive: true });
      const text = await readFile(join(directory, MANIFEST), "utf8").catch((error: unknown) => {
        if ((error as { code?: unknown }).code === "ENOENT") return undefined;
        throw error;
      });
      if (text !== undefined) manifest = manifestSchema.parse(JSON.parse(text));
    } catch (cause) {
      throw storageError(directory, "read", cause);
    }
    const index = new FileMasterDataIndex(directory, manifest, options.crashAt);
    const stored = manifest.packages;
    for (const entry of stored) {
      try {
        const payload = new Uint8Array(await readFile(join(directory, PACKAGES, entry.file)));
        const encoded = { payload, sha256: entry.sha256, rows: entry.rows };
        const rows = await decodePackage(encoded, { seq: entry.seq, trustedRows: true });
        await MemoryMasterDataIndex.prototype.apply.call(index, {
          seq: entry.seq,
          kind: entry.kind,
          rows,
          encoded,
        });
      } catch (cause) {
        throw storageError(directory, "read", cause);
      }
    }
    await index.#removeUnlisted();
    return index;
  }

  /** The manifest as last committed. */
  get manifest(): FileIndexManifest {
    return this.#manifest;
  }

  override async apply(pkg: VerifiedPackage): Promise<ApplyOutcome> {
    if (checkSequence(this.#manifest.appliedSeq, pkg) === "skip") return "already-applied";
    const file = `${pkg.seq}-${pkg.encoded.sha256}.ndjson.gz`;
    const entry = {
      seq: pkg.seq,
      kind: pkg.kind,
      rows: pkg.encoded.rows,
      sha256: pkg.encoded.sha256,
      file,
    };
    const next: FileIndexManifest = {
      version: 1,
      appliedSeq: pkg.seq,
      packages: pkg.kind === "full" ? [entry] : [...this.#manifest.packages, entry],
    };
    try {
      await writeDurably(join(this.#directory, PACKAGES, file), pkg.encoded.payload);
      if (this.#crashAt === "after-payload-written") {
        throw new Error("simulated crash after the payload file was written");
      }
      await syncDirectory(join(this.#directory, PACKAGES));
      await writeDurably(join(this.#directory, MANIFEST_TEMP), JSON.stringify(next));
      await rename(join(this.#directory, MANIFEST_TEMP), join(this.#directory, MANIFEST));
      await syncDirectory(this.#directory);
    } catch (cause) {
      throw storageError(this.#directory, "write", cause);
    }
    this.#manifest = next;
    const outcome = await super.apply(pkg);
    if (pkg.kind === "full") await this.#removeUnlisted().catch(() => undefined);
    return outcome;
  }

  override async appliedSeq(): Promise<number> {
    return this.#manifest.appliedSeq;
  }

  async #removeUnlisted(): Promise<void> {
    const listed = new Set(this.#manifest.packages.map((entry) => entry.file));
    const files = await readdir(join(this.#directory, PACKAGES));
    await Promise.all(
      files
        .filter((file) => !listed.has(file))
        .map((file) => rm(join(this.#directory, PACKAGES, file), { force: true })),
    );
    await rm(join(this.#directory, MANIFEST_TEMP), { force: true });
  }
}
