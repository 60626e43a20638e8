import type { DocHandle } from "@automerge/automerge-repo";
import { MASTER_DATA_ERROR_CODES, MasterDataError } from "./master-data-error.ts";
import type { MasterDataIndex } from "./master-data-index.ts";
import { type DataPackage, type QuarantinedEntry, readMasterDataLog } from "./master-data-log.ts";
import { decodePackage } from "./package-codec.ts";

/**
 * The register's sync library for master data: follows the master data log document(s), and
 * applies their packages to the register's index strictly in seq order after verifying each
 * checksum. Every attempt is reported as a {@link MasterDataDownloadStatus} for the connection
 * status window.
 */

export const DOWNLOAD_RESULTS = ["applied", "up-to-date", "waiting", "failed"] as const;
/**
 * `applied`: at least one package applied, nothing wrong. `up-to-date`: nothing new.
 * `waiting`: the next package has not arrived yet (a gap); what came before it is applied.
 * `failed`: a package or the log is invalid; the data applied before it stays intact.
 */
export type DownloadResult = (typeof DOWNLOAD_RESULTS)[number];

/** One master data download attempt, as the sync status model shows it. */
export type MasterDataDownloadStatus = {
  /** Epoch milliseconds when the attempt started and ended. */
  readonly startedAt: number;
  readonly finishedAt: number;
  readonly packagesApplied: number;
  readonly rowsApplied: number;
  /** Seq held by the index after the attempt. */
  readonly appliedSeq: number;
  readonly result: DownloadResult;
  /** The seq the register waits for when `result` is `waiting`. */
  readonly waitingForSeq: number | null;
  readonly error: {
    readonly code: string;
    readonly message: string;
    readonly seq?: number;
  } | null;
  /** Log entries set aside as invalid during this attempt. */
  readonly quarantined: readonly QuarantinedEntry[];
};

export type Clock = () => number;

export type PackageApplierOptions = {
  readonly index: MasterDataIndex;
  readonly clock: Clock;
};

type Listener = (status: MasterDataDownloadStatus) => void;

function errorInfo(error: unknown): NonNullable<MasterDataDownloadStatus["error"]> {
  if (error instanceof MasterDataError) return error.toJSON();
  return {
    code: MASTER_DATA_ERROR_CODES.indexStorage,
    message: error instanceof Error ? error.message : String(error),
  };
}

export class PackageApplier {
  readonly #index: MasterDataIndex;
  readonly #clock: Clock;
  readonly #logs = new Map<string, { handle: DocHandle<unknown>; off: () => void }>();
  readonly #listeners = new Set<Listener>();
  #running: Promise<MasterDataDownloadStatus> | undefined;
  #again = false;
  #last: MasterDataDownloadStatus | undefined;
  #closed = false;

  constructor(options: PackageApplierOptions) {
    this.#index = options.index;
    this.#clock = options.clock;
  }

  /** The most recent attempt, or undefined before the first one. */
  get lastStatus(): MasterDataDownloadStatus | undefined {
    return this.#last;
  }

  /** Calls `listener` after every attempt; returns the unsubscribe function. */
  subscribe(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Follows a master data log: applies what it holds once it is ready, and again after every
   * change a peer brings. Follow the new log too when the store's manifest points to one; a
   * `full` package in it replaces everything.
   */
  follow(handle: DocHandle<unknown>): void {
    if (this.#closed || this.#logs.has(handle.url)) return;
    const onChange = () => {
      void this.sync();
    };
    handle.on("change", onChange);
    this.#logs.set(handle.url, { handle, off: () => handle.off("change", onChange) });
    void handle.whenReady().then(onChange, () => undefined);
  }

  /** Stops following a log (e.g. an old log once a newer full package is applied). */
  unfollow(handle: DocHandle<unknown>): void {
    this.#logs.get(handle.url)?.off();
    this.#logs.delete(handle.url);
  }

  /**
   * Runs one download attempt over every followed log. Attempts never overlap: a call during an
   * attempt schedules exactly one more, and resolves with that one's status.
   */
  sync(): Promise<MasterDataDownloadStatus> {
    if (this.#running !== undefined) {
      this.#again = true;
      return this.#running;
    }
    const run = (async () => {
      let status = await this.#attempt();
      while (this.#again && !this.#closed) {
        this.#again = false;
        status = await this.#attempt();
      }
      return status;
    })();
    this.#running = run;
    void run.finally(() => {
      if (this.#running === run) this.#running = undefined;
    });
    return run;
  }

  /** Stops following every log and waits for a running attempt to finish. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const { off } of this.#logs.values()) off();
    this.#logs.clear();
    await this.#running?.catch(() => undefined);
  }

  async #attempt(): Promise<MasterDataDownloadStatus> {
    const startedAt = this.#clock();
    const quarantined: QuarantinedEntry[] = [];
    let error: MasterDataDownloadStatus["error"] = null;
    let packagesApplied = 0;
    let rowsApplied = 0;
    let waitingForSeq: number | null = null;
    let applied = 0;
    try {
      applied = await this.#index.appliedSeq();
      const bySeq = new Map<number, DataPackage>();
      for (const { handle } of this.#logs.values()) {
        if (!handle.isReady()) continue;
        const reading = readMasterDataLog(handle.doc());
        if (!reading.ok) {
          error = reading.error.toJSON();
          continue;
        }
        quarantined.push(...reading.quarantined);
        for (const pkg of reading.packages) if (!bySeq.has(pkg.seq)) bySeq.set(pkg.seq, pkg);
      }
      const pending = [...bySeq.values()]
        .filter((pkg) => pkg.seq > applied)
        .sort((a, b) => a.seq - b.seq);
      const lastFull = pending.findLastIndex((pkg) => pkg.kind === "full");
      for (const pkg of lastFull === -1 ? pending : pending.slice(lastFull)) {
        if (pkg.kind === "delta" && pkg.seq !== applied + 1) {
          waitingForSeq = applied + 1;
          break;
        }
        const encoded = { payload: pkg.payload, sha256: pkg.sha256, rows: pkg.rows };
        const rows = await decodePackage(encoded, { seq: pkg.seq });
        await this.#index.apply({ seq: pkg.seq, kind: pkg.kind, rows, encoded });
        applied = pkg.seq;
        packagesApplied++;
        rowsApplied += rows.length;
      }
      const next = applied + 1;
      const blocking = quarantined.find((entry) => entry.seq === next);
      if (blocking !== undefined && error === null && !bySeq.has(next)) {
        waitingForSeq = next;
        error = new MasterDataError(
          MASTER_DATA_ERROR_CODES.invalidLogEntry,
          `Data package ${next} in the master data log is invalid (${blocking.problem}). ` +
            "Run a full distribution at headquarters.",
          { seq: next },
        ).toJSON();
      }
    } catch (caught) {
      error = errorInfo(caught);
      applied = await this.#index.appliedSeq().catch(() => applied);
    }
    const result: DownloadResult =
      error !== null
        ? "failed"
        : waitingForSeq !== null
          ? "waiting"
          : packagesApplied > 0
            ? "applied"
            : "up-to-date";
    const status: MasterDataDownloadStatus = {
      startedAt,
      finishedAt: this.#clock(),
      packagesApplied,
      rowsApplied,
      appliedSeq: applied,
      result,
      waitingForSeq,
      error,
      quarantined,
    };
    this.#last = status;
    for (const listener of this.#listeners) listener(status);
    return status;
  }
}
