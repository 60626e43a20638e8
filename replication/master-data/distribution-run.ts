import type { AutomergeUrl, DocHandle, Repo } from "@automerge/automerge-repo";
import { MASTER_DATA_ERROR_CODES, MasterDataError } from "./master-data-error.ts";
import {
  appendPackage,
  createMasterDataLog,
  type DataPackage,
  lastSeq,
  type MasterDataLogDoc,
} from "./master-data-log.ts";
import { nodeGzip } from "./node-gzip.ts";
import { encodePackage, type GzipCompressor } from "./package-codec.ts";
import type { StagingArea } from "./staging-area.ts";

/**
 * A distribution run: turns what headquarters changed into the next data package of a channel
 * data group. A delta run appends to the current log; a full run starts a new log, so no log grows
 * without bound and a new register never replays history.
 *
 * Runs happen at headquarters, in Node: packages are gzipped with {@link nodeGzip} unless a run
 * is given another `compress`.
 */

/** Epoch milliseconds; injected so runs are reproducible in tests. */
export type Clock = () => number;

/** What a run produced. */
export type DistributionResult =
  | { readonly kind: "none" }
  | {
      readonly kind: "delta" | "full";
      readonly seq: number;
      readonly rows: number;
      readonly sha256: string;
      /** The log the package is in: for `full`, a new log to record in the store's manifest. */
      readonly log: DocHandle<MasterDataLogDoc>;
      readonly logUrl: AutomergeUrl;
    };

/**
 * Appends the changes staged since the last run to `log` as package `last seq + 1`. With no
 * changes it produces nothing (`kind: "none"`) and leaves the log untouched.
 *
 * @throws {MasterDataError} `POS_MD_010` when there is no log yet (run a full distribution first).
 */
export async function runDeltaDistribution(options: {
  readonly staging: StagingArea;
  readonly log: DocHandle<MasterDataLogDoc> | undefined;
  readonly clock: Clock;
  /** The gzip packages are packed with. Default {@link nodeGzip}. */
  readonly compress?: GzipCompressor;
}): Promise<DistributionResult> {
  const { staging, log, clock } = options;
  const taken = staging.pendingChanges();
  if (taken.rows.length === 0) return { kind: "none" };
  if (log === undefined) {
    throw new MasterDataError(
      MASTER_DATA_ERROR_CODES.noLog,
      "This data group has no master data log yet. Run a full distribution first.",
    );
  }
  const encoded = await encodePackage(taken.rows, { compress: options.compress ?? nodeGzip });
  const pkg: DataPackage = {
    seq: lastSeq(log.doc()) + 1,
    kind: "delta",
    rows: encoded.rows,
    sha256: encoded.sha256,
    createdAt: clock(),
    payload: encoded.payload,
  };
  appendPackage(log, pkg);
  await staging.markDistributed(taken);
  return {
    kind: "delta",
    seq: pkg.seq,
    rows: pkg.rows,
    sha256: pkg.sha256,
    log,
    logUrl: log.url,
  };
}

/**
 * Packs a snapshot of every current record into a `full` package numbered after the current
 * log's last package, in a NEW log document. The caller records `logUrl` in the store
 * configuration's manifest; registers then follow the new log and drop the old one.
 */
export async function runFullDistribution(options: {
  readonly repo: Repo;
  readonly staging: StagingArea;
  readonly dataGroupId: string;
  readonly currentLog: DocHandle<MasterDataLogDoc> | undefined;
  readonly clock: Clock;
  /** The gzip packages are packed with. Default {@link nodeGzip}. */
  readonly compress?: GzipCompressor;
}): Promise<DistributionResult> {
  const { repo, staging, dataGroupId, currentLog, clock } = options;
  const taken = staging.pendingChanges();
  const encoded = await encodePackage(staging.currentRows(), {
    compress: options.compress ?? nodeGzip,
  });
  const pkg: DataPackage = {
    seq: (currentLog === undefined ? 0 : lastSeq(currentLog.doc())) + 1,
    kind: "full",
    rows: encoded.rows,
    sha256: encoded.sha256,
    createdAt: clock(),
    payload: encoded.payload,
  };
  const log = createMasterDataLog(repo, dataGroupId, pkg);
  await staging.markDistributed(taken);
  return {
    kind: "full",
    seq: pkg.seq,
    rows: pkg.rows,
    sha256: pkg.sha256,
    log,
    logUrl: log.url,
  };
}
