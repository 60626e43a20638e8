/**
 * Business rule failures of the sale domain. Commands never throw for these: they return
 * `{ ok: false, error }` so the register can show the message and the cashier can carry on.
 */

/** Every code a command may refuse with; stable across releases (UI texts key on them). */
export const DOMAIN_ERROR_CODES = [
  "CARD_OVERPAY",
  "TENDER_OVERPAY",
  "NOTHING_DUE",
  "INVALID_AMOUNT",
  "SALE_NOT_PAID",
  "SALE_EMPTY",
  "SALE_HAS_PAYMENTS",
  "LINE_NOT_FOUND",
  "LINE_ALREADY_VOIDED",
  "INVALID_QUANTITY",
  "INVALID_DISCOUNT",
  "DISCOUNT_OVER_LIMIT",
  "DISCOUNT_ON_RETURN_LINE",
  "MANAGER_MUST_DIFFER",
  "MANAGER_NOT_FOUND",
  "NO_OPEN_SALE",
  "SALE_ALREADY_OPEN",
  "PERMISSION_DENIED",
  "PRODUCT_INACTIVE",
  "TAX_GROUP_MISMATCH",
  "ONLINE_ONLY_TENDER_OFFLINE",
  "RETURN_NEEDS_RECEIPT_OR_PERMISSION",
  "RECEIPT_NOT_FOUND",
  "RECEIPT_NOT_ON_REGISTER_OFFLINE",
  "RETURN_EXCEEDS_SOLD",
  "INVALID_RECEIPT_NUMBER",
  "NO_OPEN_SHIFT",
  "SHIFT_ALREADY_OPEN",
  "SHIFT_NOT_CLOSED",
  "SALE_IN_PROGRESS",
  "MODE_UNCHANGED",
  "REGISTER_MISMATCH",
] as const;

/** Stable identifier of a business rule failure; UI text and HTTP status are mapped from it. */
export type DomainErrorCode = (typeof DOMAIN_ERROR_CODES)[number];

/**
 * A refused command. `code` is stable for programs; `message` tells the cashier what to do next.
 *
 * @example
 * new DomainError("NO_OPEN_SALE", "There is no sale in progress. Start a sale first.")
 */
export class DomainError extends Error {
  readonly code: DomainErrorCode;

  constructor(code: DomainErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "DomainError";
    this.code = code;
  }

  /** Safe to log or send to a client: no stack, no cause internals. */
  toJSON(): { name: string; code: DomainErrorCode; message: string } {
    return { name: this.name, code: this.code, message: this.message };
  }
}

/** Formats minor units for messages, e.g. 1250 -> "12.50" (two decimals, sign kept). */
export function formatAmount(minor: number): string {
  const sign = minor < 0 ? "-" : "";
  const abs = Math.abs(minor);
  const units = Math.trunc(abs / 100);
  const cents = String(abs % 100).padStart(2, "0");
  return `${sign}${units}.${cents}`;
}
