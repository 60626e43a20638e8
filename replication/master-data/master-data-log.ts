import { ImmutableString, isImmutableString } from "@automerge/automerge";
import type { DocHandle, Repo } from "@automerge/automerge-repo";
import { z } from "zod";
import { MASTER_DATA_ERROR_CODES, MasterDataError } from "./master-data-error.ts";

/**
 * The master data log: a short Automerge document per channel data group, written only by
 * headquarters, holding an append-only list of checksummed data packages. Rows never become
 * Automerge objects; each package is one binary payload, so syncing a 100k-product catalog costs
 * one blob, not 100k map entries.
 */

export const MASTER_DATA_LOG_KIND = "master-data-log";

export const PACKAGE_KINDS = ["full", "delta"] as const;
/** `full`: a snapshot that replaces everything; `delta`: changes since the previous package. */
export type PackageKind = (typeof PACKAGE_KINDS)[number];

/** A data package as readers see it (plain strings). */
export type DataPackage = {
  /** Position in the data group's package sequence: 1, 2, 3, ... continued across logs. */
  readonly seq: number;
  readonly kind: PackageKind;
  /** Number of rows in the payload. */
  readonly rows: number;
  /** Lower-case hex SHA-256 of `payload`. */
  readonly sha256: string;
  /** Epoch milliseconds of the distribution run that produced it. */
  readonly createdAt: number;
  /** Gzipped NDJSON rows, see package-codec.ts. */
  readonly payload: Uint8Array;
};

/** A package entry as stored in the document: strings are immutable, not collaborative text. */
export type StoredDataPackage = {
  seq: number;
  kind: ImmutableString;
  rows: number;
  sha256: ImmutableString;
  createdAt: number;
  payload: Uint8Array;
};

/** The document shape headquarters writes. */
export type MasterDataLogDoc = {
  kind: ImmutableString;
  dataGroupId: ImmutableString;
  packages: StoredDataPackage[];
};

/** An entry of a peer's log that failed validation, kept aside and reported, never applied. */
export type QuarantinedEntry = {
  /** Position in the document's `packages` list. */
  readonly index: number;
  /** The entry's `seq` when it had a readable one. */
  readonly seq: number | undefined;
  readonly problem: string;
};

/** What a reader makes of a log document received from an untrusted peer. */
export type MasterDataLogReading =
  | {
      readonly ok: true;
      readonly dataGroupId: string;
      /** Valid packages, ascending by seq, one per seq. */
      readonly packages: readonly DataPackage[];
      readonly quarantined: readonly QuarantinedEntry[];
    }
  | { readonly ok: false; readonly error: MasterDataError };

const plainString = z.union([
  z.string(),
  z.custom<ImmutableString>((value) => isImmutableString(value)).transform((value) => value.val),
]);

const dataPackageSchema = z.object({
  seq: z.number().int().positive(),
  kind: plainString.pipe(z.enum(PACKAGE_KINDS)),
  rows: z.number().int().nonnegative(),
  sha256: plainString.pipe(z.string().regex(/^[0-9a-f]{64}$/, "must be 64 lower-case hex digits")),
  createdAt: z.number().int().nonnegative(),
  payload: z.instanceof(Uint8Array),
}) satisfies z.ZodType<DataPackage, unknown>;

const logHeaderSchema = z.object({
  kind: plainString.pipe(z.literal(MASTER_DATA_LOG_KIND)),
  dataGroupId: plainString.pipe(z.string().min(1)),
  packages: z.array(z.unknown()),
});

function seqOf(entry: unknown): number | undefined {
  if (typeof entry !== "object" || entry === null) return undefined;
  const seq = (entry as { seq?: unknown }).seq;
  return typeof seq === "number" && Number.isSafeInteger(seq) ? seq : undefined;
}

/**
 * Validates a log document from a peer. A document that is not a master data log at all yields
 * `ok: false`; an invalid or duplicate package entry is quarantined (listed with its problem) and
 * the valid entries are still returned. Never throws.
 */
export function readMasterDataLog(doc: unknown): MasterDataLogReading {
  const header = logHeaderSchema.safeParse(doc);
  if (!header.success) {
    return {
      ok: false,
      error: new MasterDataError(
        MASTER_DATA_ERROR_CODES.invalidLogDocument,
        `The document is not a master data log (${z.prettifyError(header.error)}). ` +
          "Check the master data log address in the store configuration.",
      ),
    };
  }
  const bySeq = new Map<number, DataPackage>();
  const quarantined: QuarantinedEntry[] = [];
  header.data.packages.forEach((entry, index) => {
    const parsed = dataPackageSchema.safeParse(entry);
    if (!parsed.success) {
      quarantined.push({ index, seq: seqOf(entry), problem: z.prettifyError(parsed.error) });
      return;
    }
    if (bySeq.has(parsed.data.seq)) {
      quarantined.push({
        index,
        seq: parsed.data.seq,
        problem: `a second package with seq ${parsed.data.seq}; the first one is kept`,
      });
      return;
    }
    bySeq.set(parsed.data.seq, parsed.data);
  });
  const packages = [...bySeq.values()].sort((a, b) => a.seq - b.seq);
  return { ok: true, dataGroupId: header.data.dataGroupId, packages, quarantined };
}

function toStored(pkg: DataPackage): StoredDataPackage {
  return {
    seq: pkg.seq,
    kind: new ImmutableString(pkg.kind),
    rows: pkg.rows,
    sha256: new ImmutableString(pkg.sha256),
    createdAt: pkg.createdAt,
    payload: pkg.payload,
  };
}

/** Highest seq in a log document, counting every entry with a readable seq; 0 when empty. */
export function lastSeq(doc: MasterDataLogDoc): number {
  let last = 0;
  for (const entry of doc.packages) {
    const seq = seqOf(entry);
    if (seq !== undefined && seq > last) last = seq;
  }
  return last;
}

/**
 * Creates a new log document holding `first` (normally a `full` package), in one change, and
 * returns its handle; record `handle.url` in the store configuration's manifest.
 */
export function createMasterDataLog(
  repo: Repo,
  dataGroupId: string,
  first: DataPackage,
): DocHandle<MasterDataLogDoc> {
  return repo.create<MasterDataLogDoc>({
    kind: new ImmutableString(MASTER_DATA_LOG_KIND),
    dataGroupId: new ImmutableString(dataGroupId),
    packages: [toStored(first)],
  });
}

/**
 * Appends one package to the log in one Automerge change.
 *
 * @throws {MasterDataError} `POS_MD_008` when `pkg.seq` is not the log's last seq + 1: the log
 * stays gap-free so registers never wait for a package that will not come.
 */
export function appendPackage(handle: DocHandle<MasterDataLogDoc>, pkg: DataPackage): void {
  const expected = lastSeq(handle.doc()) + 1;
  if (pkg.seq !== expected) {
    throw new MasterDataError(
      MASTER_DATA_ERROR_CODES.outOfOrderAppend,
      `Package ${pkg.seq} cannot follow package ${expected - 1} in the master data log; ` +
        "start the distribution run again so it numbers the package from the log.",
      { seq: pkg.seq },
    );
  }
  const stored = toStored(pkg);
  handle.change((doc) => {
    doc.packages.push(stored);
  });
}
