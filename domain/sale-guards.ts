import { DomainError, formatAmount } from "./errors.ts";
import type { OpenSale, RegisterState, SaleLine } from "./register-state.ts";

/** Largest quantity one line may carry: guards against a barcode scanned into the quantity field. */
export const MAX_LINE_QUANTITY = 9_999;

/** Checks shared by the sale commands; each returns the refusal or the value asked for. */
export type Guarded<T> = { ok: true; value: T } | { ok: false; error: DomainError };

/** The open sale, or NO_OPEN_SALE. */
export function requireOpenSale(state: RegisterState): Guarded<OpenSale> {
  if (state.openSale === null) {
    return {
      ok: false,
      error: new DomainError("NO_OPEN_SALE", "There is no sale in progress. Start a sale first."),
    };
  }
  return { ok: true, value: state.openSale };
}

/** Lines and discounts are frozen once a payment is taken, so payments never exceed the total. */
export function requireNoPayments(sale: OpenSale): Guarded<OpenSale> {
  if (sale.payments.length > 0) {
    return {
      ok: false,
      error: new DomainError(
        "SALE_HAS_PAYMENTS",
        `Payments of ${formatAmount(sale.paid)} are already taken, so the items can no longer change. Finish the payment, or void the sale and start again.`,
      ),
    };
  }
  return { ok: true, value: sale };
}

/** A whole quantity from 1 to MAX_LINE_QUANTITY, or INVALID_QUANTITY. */
export function requireQuantity(quantity: number): Guarded<number> {
  if (!Number.isSafeInteger(quantity) || quantity < 1 || quantity > MAX_LINE_QUANTITY) {
    return {
      ok: false,
      error: new DomainError(
        "INVALID_QUANTITY",
        `Quantity must be a whole number from 1 to ${MAX_LINE_QUANTITY}. Enter the number of units again.`,
      ),
    };
  }
  return { ok: true, value: quantity };
}

/** A line of the sale that is not voided, or LINE_NOT_FOUND / LINE_ALREADY_VOIDED. */
export function requireActiveLine(sale: OpenSale, lineId: string): Guarded<SaleLine> {
  const line = sale.lines.find((candidate) => candidate.lineId === lineId);
  if (line === undefined) {
    return {
      ok: false,
      error: new DomainError(
        "LINE_NOT_FOUND",
        "That line is not on this sale. Select a line of the current sale.",
      ),
    };
  }
  if (line.voided) {
    return {
      ok: false,
      error: new DomainError(
        "LINE_ALREADY_VOIDED",
        `"${line.name}" is already voided. Select another line.`,
      ),
    };
  }
  return { ok: true, value: line };
}
