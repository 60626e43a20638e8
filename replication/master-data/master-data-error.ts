/**
 * Stable error codes for master data distribution. A code never changes meaning once released;
 * messages may be reworded.
 */
export const MASTER_DATA_ERROR_CODES = {
  /** The payload's SHA-256 does not match the checksum recorded in the log. */
  checksumMismatch: "POS_MD_001",
  /** The payload decoded to a different number of rows than the log entry declares. */
  rowCountMismatch: "POS_MD_002",
  /** A row is not valid master data (unknown entity, missing field, wrong type). */
  invalidRow: "POS_MD_003",
  /** The payload is not valid gzip or not UTF-8 NDJSON. */
  unreadablePayload: "POS_MD_004",
  /** A delta package arrived whose predecessor has not been applied. */
  sequenceGap: "POS_MD_005",
  /** An entry of the master data log document has an invalid shape. */
  invalidLogEntry: "POS_MD_006",
  /** The log document itself is not a master data log. */
  invalidLogDocument: "POS_MD_007",
  /** A package would not continue the log (sequence number not last + 1). */
  outOfOrderAppend: "POS_MD_008",
  /** The register's stored master data cannot be read or written. */
  indexStorage: "POS_MD_009",
  /** A delta distribution was requested for a data group that has no master data log yet. */
  noLog: "POS_MD_010",
} as const;

export type MasterDataErrorCode =
  (typeof MASTER_DATA_ERROR_CODES)[keyof typeof MASTER_DATA_ERROR_CODES];

/**
 * Every failure of master data packaging, distribution or indexing. `code` is stable and safe to
 * show; `message` says what is wrong and what to do; `cause` keeps the underlying error.
 */
export class MasterDataError extends Error {
  override readonly name = "MasterDataError";
  readonly code: MasterDataErrorCode;
  /** The package sequence number concerned, when there is one. */
  readonly seq: number | undefined;

  constructor(
    code: MasterDataErrorCode,
    message: string,
    options: { readonly cause?: unknown; readonly seq?: number } = {},
  ) {
    super(`[${code}] ${message}`, options.cause === undefined ? {} : { cause: options.cause });
    this.code = code;
    this.seq = options.seq;
  }

  /** A serialisable form without the cause chain (which may hold payload bytes). */
  toJSON(): { code: MasterDataErrorCode; message: string; seq?: number } {
    return this.seq === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, seq: this.seq };
  }
}
