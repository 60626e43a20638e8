/**
 * The per-register sync status shown in the connection status window: the last download and
 * upload attempts, what is pending, and the last error. Pure data and pure update functions;
 * the caller passes the time, so the same status is computed in the app, in headless registers
 * and in tests.
 */

export const SYNC_RESULTS = ["succeeded", "failed", "partial"] as const;
export type SyncResult = (typeof SYNC_RESULTS)[number];

/** The last attempt to bring master data packages down to the offline database. */
export type DownloadAttempt = {
  readonly at: number;
  readonly packages: number;
  readonly rows: number;
  readonly result: SyncResult;
};

/** The last attempt to have the retail server accept the register's events. */
export type UploadAttempt = {
  readonly at: number;
  readonly eventsAccepted: number;
  readonly result: SyncResult;
};

/** The last error, kept until a later attempt of the same direction succeeds. */
export type SyncError = {
  readonly at: number;
  readonly code: string;
  readonly message: string;
};

export type SyncStatus = {
  readonly lastDownload: DownloadAttempt | null;
  readonly lastUpload: UploadAttempt | null;
  /** Completed sales not yet accepted by the server. */
  readonly pendingUploadSales: number;
  /** Events (of any kind) not yet accepted by the server. */
  readonly pendingUploadEvents: number;
  /** Master data packages published but not yet applied here. */
  readonly pendingDownloads: number;
  /** Highest master data package seq applied to the offline database. */
  readonly appliedPackageSeq: number | null;
  /** Highest package seq the register knows has been published. */
  readonly latestPackageSeq: number | null;
  readonly lastError: SyncError | null;
};

/** The status of a register that has not synchronised yet. */
export const INITIAL_SYNC_STATUS: SyncStatus = {
  lastDownload: null,
  lastUpload: null,
  pendingUploadSales: 0,
  pendingUploadEvents: 0,
  pendingDownloads: 0,
  appliedPackageSeq: null,
  latestPackageSeq: null,
  lastError: null,
};

function pendingDownloads(applied: number | null, latest: number | null): number {
  if (latest === null) return 0;
  return Math.max(0, latest - (applied ?? 0));
}

/** Records a download attempt; `appliedPackageSeq` is the seq applied after it. */
export function recordDownload(
  status: SyncStatus,
  attempt: DownloadAttempt & { readonly appliedPackageSeq: number | null },
): SyncStatus {
  const { appliedPackageSeq, ...lastDownload } = attempt;
  const applied = maxSeq(status.appliedPackageSeq, appliedPackageSeq);
  const latest = maxSeq(status.latestPackageSeq, applied);
  return {
    ...status,
    lastDownload,
    appliedPackageSeq: applied,
    latestPackageSeq: latest,
    pendingDownloads: pendingDownloads(applied, latest),
    lastError: attempt.result === "succeeded" ? clearedError(status, "download") : status.lastError,
  };
}

/** Records that packages up to `latestPackageSeq` have been published. */
export function recordPublishedPackages(status: SyncStatus, latestPackageSeq: number): SyncStatus {
  const latest = maxSeq(status.latestPackageSeq, latestPackageSeq);
  return {
    ...status,
    latestPackageSeq: latest,
    pendingDownloads: pendingDownloads(status.appliedPackageSeq, latest),
  };
}

/** Records an upload attempt and what remains pending after it. */
export function recordUpload(
  status: SyncStatus,
  attempt: UploadAttempt & {
    readonly pendingUploadSales: number;
    readonly pendingUploadEvents: number;
  },
): SyncStatus {
  const { pendingUploadSales, pendingUploadEvents, ...lastUpload } = attempt;
  return {
    ...status,
    lastUpload,
    pendingUploadSales,
    pendingUploadEvents,
    lastError: attempt.result === "succeeded" ? clearedError(status, "upload") : status.lastError,
  };
}

/** Records new local work waiting for upload (e.g. after each completed sale). */
export function recordPendingUpload(
  status: SyncStatus,
  pending: { readonly sales: number; readonly events: number },
): SyncStatus {
  return { ...status, pendingUploadSales: pending.sales, pendingUploadEvents: pending.events };
}

/** Records an error of a download or upload; it stays shown until that direction succeeds. */
export function recordSyncError(
  status: SyncStatus,
  error: SyncError & { readonly direction: "download" | "upload" },
): SyncStatus {
  const { direction, ...lastError } = error;
  return { ...status, lastError: { ...lastError, code: `${direction}:${lastError.code}` } };
}

function clearedError(status: SyncStatus, direction: "download" | "upload"): SyncError | null {
  return status.lastError?.code.startsWith(`${direction}:`) ? null : status.lastError;
}

function maxSeq(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.max(a, b);
}
