import type { ConnectionMode } from "./events.ts";
import type { DiscountKind, TenderKind } from "./master-data.ts";
import type { Money } from "./money.ts";
import type { LineAmounts, SaleTotals } from "./sale-pricing.ts";

/**
 * What a register knows after folding its own event log (see fold.ts). Plain readonly data:
 * JSON-serialisable, equal for equal logs, never mutated (apply returns a new state).
 */
export type RegisterState = {
  /** The register whose log this is; null before the first event. */
  readonly registerId: string | null;
  /** Highest sequence number folded; the next event gets lastSeq + 1. */
  readonly lastSeq: number;
  readonly mode: ConnectionMode;
  /** When the last ModeChanged happened, null when the mode never changed. */
  readonly modeChangedAt: number | null;
  readonly openSale: OpenSale | null;
  /** Sequence part of the next receipt number; derived from the log, so never reused. */
  readonly nextReceiptSequence: number;
  readonly openShift: ActiveShift | null;
  /** Completed sales by receipt number: what a return with receipt may take back. */
  readonly completedSales: Readonly<Record<string, CompletedSale>>;
  /** The last completed sale, for the register's "last receipt / change" display. */
  readonly lastCompletedSale: LastCompletedSale | null;
};

export type AppliedDiscount = {
  readonly discountId: string | null;
  readonly kind: DiscountKind;
  /** Basis points for `percent`, minor units for `amount`. */
  readonly value: number;
  readonly operatorId: string;
  readonly approvedBy: string | null;
};

export const SALE_LINE_KINDS = ["sale", "return"] as const;
export type SaleLineKind = (typeof SALE_LINE_KINDS)[number];

export type SaleLine = {
  readonly lineId: string;
  readonly kind: SaleLineKind;
  readonly productId: string;
  readonly name: string;
  readonly barcode: string | null;
  /** Units, always > 0; return lines count negative through `amounts`. */
  readonly quantity: number;
  readonly unitPrice: Money;
  readonly taxGroupId: string;
  readonly taxRateBp: number;
  readonly voided: boolean;
  readonly discounts: readonly AppliedDiscount[];
  /** Receipt a return line takes goods back from, null for sale lines and blind returns. */
  readonly originalReceipt: string | null;
  /** Who authorised a blind return. */
  readonly approvedBy: string | null;
  readonly amounts: LineAmounts;
};

export type Payment = {
  readonly paymentId: string;
  readonly tenderTypeId: string;
  readonly tenderKind: TenderKind;
  /** Positive when the customer pays, negative when the register refunds. */
  readonly amount: Money;
  readonly reference: string | null;
};

export type AttachedCustomer = {
  readonly customerId: string;
  readonly name: string;
};

export type OpenSale = {
  readonly saleId: string;
  readonly receiptNumber: string;
  readonly storeId: string;
  readonly operatorId: string;
  readonly shiftId: string | null;
  readonly pricesIncludeTax: boolean;
  readonly startedAt: number;
  readonly lines: readonly SaleLine[];
  /** Transaction discounts, in the order applied. */
  readonly saleDiscounts: readonly AppliedDiscount[];
  readonly customer: AttachedCustomer | null;
  readonly payments: readonly Payment[];
  readonly totals: SaleTotals;
  /** Sum of payments. */
  readonly paid: Money;
  /**
   * Still to pay: `max(0, total - paid)` for a sale, `min(0, total - paid)` (still to refund)
   * when the total is negative.
   */
  readonly amountDue: Money;
  /** Cash to hand back: `max(0, paid - total)` when the total is not negative, else 0. */
  readonly change: Money;
};

/** One product of a completed sale, as a return with receipt sees it. */
export type CompletedSaleProduct = {
  readonly productId: string;
  readonly name: string;
  readonly quantity: number;
  /** What was charged for these units after discounts, in shelf-price terms. */
  readonly amount: Money;
  /** Refund price per unit: `round(amount / quantity)`. */
  readonly unitPrice: Money;
  readonly taxGroupId: string;
  readonly taxRateBp: number;
  /** Units already taken back by completed returns. */
  readonly returnedQuantity: number;
};

export type CompletedSale = {
  readonly receiptNumber: string;
  readonly saleId: string;
  readonly registerId: string;
  readonly storeId: string;
  readonly operatorId: string;
  readonly completedAt: number;
  readonly total: Money;
  readonly tax: Money;
  /** Sold products by product id (return lines of the same sale are not listed). */
  readonly products: Readonly<Record<string, CompletedSaleProduct>>;
};

export type LastCompletedSale = {
  readonly receiptNumber: string;
  readonly total: Money;
  readonly changeDue: Money;
  readonly completedAt: number;
};

export type ActiveShift = {
  readonly shiftId: string;
  readonly operatorId: string;
  readonly openedAt: number;
  readonly openingFloat: Money;
  /** Last cash declaration in this shift, null until the drawer is counted. */
  readonly declaredCash: Money | null;
};

/** The state of a register with an empty log: online, no sale, no shift, receipt 1 next. */
export const INITIAL_REGISTER_STATE: RegisterState = Object.freeze({
  registerId: null,
  lastSeq: 0,
  mode: "online",
  modeChangedAt: null,
  openSale: null,
  nextReceiptSequence: 1,
  openShift: null,
  completedSales: Object.freeze({}),
  lastCompletedSale: null,
});
