import { DomainError } from "./errors.ts";

/**
 * Receipt numbers are `store-register-sequence`, e.g. "S1-R1-000042".
 *
 * The sequence is per register and comes from the register's own folded event log, so it is never
 * reused across restarts, and the store and register ids make it unique without any coordination,
 * also offline. The store id may not contain "-" (so a receipt can be parsed back); the register id
 * may. The sequence is zero-padded to at least six digits and grows beyond that when needed.
 */
export type ReceiptNumberParts = {
  readonly storeId: string;
  readonly registerId: string;
  /** 1, 2, 3, ... */
  readonly sequence: number;
};

const SEQUENCE_WIDTH = 6;
const RECEIPT_PATTERN = /^([^-\s]+)-(\S+)-(\d+)$/;

/** True when `storeId` and `registerId` can be written into a receipt number and read back. */
export function canFormatReceiptNumber(storeId: string, registerId: string): boolean {
  return (
    storeId.length > 0 && !/[-\s]/.test(storeId) && registerId.length > 0 && !/\s/.test(registerId)
  );
}

/**
 * Writes a receipt number. Throws a `DomainError` with code `INVALID_RECEIPT_NUMBER` when the ids
 * cannot be represented (a configuration error, checked by `startSale` before calling this).
 */
export function formatReceiptNumber(parts: ReceiptNumberParts): string {
  const { storeId, registerId, sequence } = parts;
  if (
    !canFormatReceiptNumber(storeId, registerId) ||
    !Number.isSafeInteger(sequence) ||
    sequence < 1
  ) {
    throw new DomainError(
      "INVALID_RECEIPT_NUMBER",
      `Cannot number receipts for store "${storeId}" and register "${registerId}". Ask the back office to use a store id without "-" or spaces.`,
    );
  }
  return `${storeId}-${registerId}-${String(sequence).padStart(SEQUENCE_WIDTH, "0")}`;
}

/** Reads a receipt number back into its parts, or returns null when it is not one. */
export function parseReceiptNumber(text: string): ReceiptNumberParts | null {
  const match = RECEIPT_PATTERN.exec(text.trim());
  if (!match) return null;
  const [, storeId, registerId, digits] = match;
  if (storeId === undefined || registerId === undefined || digits === undefined) return null;
  const sequence = Number(digits);
  if (!Number.isSafeInteger(sequence) || sequence < 1) return null;
  return { storeId, registerId, sequence };
}
