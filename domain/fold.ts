import type { PosEvent, ReturnLineAdded, SaleCompleted } from "./events.ts";
import { divideRounded } from "./money.ts";
import { parseReceiptNumber } from "./receipt-number.ts";
import {
  type CompletedSale,
  type CompletedSaleProduct,
  INITIAL_REGISTER_STATE,
  type OpenSale,
  type RegisterState,
  type SaleLine,
} from "./register-state.ts";
import { priceSale } from "./sale-pricing.ts";

/**
 * Rebuilds a register's state from its event log. Deterministic: the same events always give the
 * same state, and so do events that went through a JSON round trip (events are plain data).
 *
 * Events that do not fit the state (a line for a sale that is not open, say) change nothing but
 * `lastSeq`: the log is validated at the replication boundary, and folding must never throw.
 */
export function fold(events: readonly PosEvent[]): RegisterState {
  let state = INITIAL_REGISTER_STATE;
  for (const event of events) state = apply(state, event);
  return state;
}

/**
 * Applies one event to a state and returns the new state (the input is never mutated), so the
 * register can keep its state current without re-folding the whole log on every command.
 */
export function apply(state: RegisterState, event: PosEvent): RegisterState {
  const base: RegisterState = {
    ...state,
    registerId: state.registerId ?? event.registerId,
    lastSeq: Math.max(state.lastSeq, event.seq),
  };
  switch (event.type) {
    case "SaleStarted": {
      const parsed = parseReceiptNumber(event.receiptNumber);
      const openSale = reprice({
        saleId: event.saleId,
        receiptNumber: event.receiptNumber,
        storeId: event.storeId,
        operatorId: event.operatorId,
        shiftId: event.shiftId,
        pricesIncludeTax: event.pricesIncludeTax,
        startedAt: event.at,
        lines: [],
        saleDiscounts: [],
        customer: null,
        payments: [],
      });
      return {
        ...base,
        openSale,
        nextReceiptSequence: Math.max(
          base.nextReceiptSequence,
          parsed ? parsed.sequence + 1 : base.nextReceiptSequence + 1,
        ),
      };
    }
    case "LineAdded":
      return withSale(base, event.saleId, (sale) => ({
        ...sale,
        lines: [
          ...sale.lines,
          {
            lineId: event.lineId,
            kind: "sale",
            productId: event.productId,
            name: event.name,
            barcode: event.barcode,
            quantity: event.quantity,
            unitPrice: event.unitPrice,
            taxGroupId: event.taxGroupId,
            taxRateBp: event.taxRateBp,
            voided: false,
            discounts: [],
            originalReceipt: null,
            approvedBy: null,
          },
        ],
      }));
    case "ReturnLineAdded":
      return withSale(base, event.saleId, (sale) => ({
        ...sale,
        lines: [...sale.lines, returnLine(event)],
      }));
    case "LineQuantityChanged":
      return withSale(base, event.saleId, (sale) => ({
        ...sale,
        lines: sale.lines.map((line) =>
          line.lineId === event.lineId ? { ...line, quantity: event.quantity } : line,
        ),
      }));
    case "LineVoided":
      return withSale(base, event.saleId, (sale) => ({
        ...sale,
        lines: sale.lines.map((line) =>
          line.lineId === event.lineId ? { ...line, voided: true } : line,
        ),
      }));
    case "DiscountApplied": {
      const discount = {
        discountId: event.discountId,
        kind: event.kind,
        value: event.value,
        operatorId: event.operatorId,
        approvedBy: event.approvedBy,
      };
      return withSale(base, event.saleId, (sale) =>
        event.lineId === null
          ? { ...sale, saleDiscounts: [...sale.saleDiscounts, discount] }
          : {
              ...sale,
              lines: sale.lines.map((line) =>
                line.lineId === event.lineId
                  ? { ...line, discounts: [...line.discounts, discount] }
                  : line,
              ),
            },
      );
    }
    case "CustomerAttached":
      return withSale(base, event.saleId, (sale) => ({
        ...sale,
        customer: { customerId: event.customerId, name: event.name },
      }));
    case "PaymentAdded":
      return withSale(base, event.saleId, (sale) => ({
        ...sale,
        payments: [
          ...sale.payments,
          {
            paymentId: event.paymentId,
            tenderTypeId: event.tenderTypeId,
            tenderKind: event.tenderKind,
            amount: event.amount,
            reference: event.reference,
          },
        ],
      }));
    case "SaleCompleted":
      return completeSale(base, event);
    case "SaleVoided":
      return base.openSale?.saleId === event.saleId ? { ...base, openSale: null } : base;
    case "ShiftOpened":
      return {
        ...base,
        openShift: {
          shiftId: event.shiftId,
          operatorId: event.operatorId,
          openedAt: event.at,
          openingFloat: event.openingFloat,
          declaredCash: null,
        },
      };
    case "ShiftClosed":
      return base.openShift?.shiftId === event.shiftId ? { ...base, openShift: null } : base;
    case "CashDeclared":
      return base.openShift?.shiftId === event.shiftId
        ? { ...base, openShift: { ...base.openShift, declaredCash: event.amount } }
        : base;
    case "ModeChanged":
      return { ...base, mode: event.to, modeChangedAt: event.at };
  }
}

type UnpricedSale = Omit<OpenSale, "lines" | "totals" | "paid" | "amountDue" | "change"> & {
  readonly lines: readonly Omit<SaleLine, "amounts">[];
};

/** Recomputes line amounts, totals, paid, amount due and change of a sale. */
export function reprice(sale: UnpricedSale): OpenSale {
  const { lines: amounts, totals } = priceSale(
    sale.lines,
    sale.saleDiscounts,
    sale.pricesIncludeTax,
  );
  const zero = { gross: 0, lineDiscount: 0, saleDiscount: 0, amount: 0, tax: 0, total: 0 };
  const lines = sale.lines.map((line, i) => ({ ...line, amounts: amounts[i] ?? zero }));
  const paid = sale.payments.reduce((sum, payment) => sum + payment.amount, 0);
  const total = totals.total;
  const amountDue = total >= 0 ? Math.max(0, total - paid) : Math.min(0, total - paid);
  const change = total >= 0 ? Math.max(0, paid - total) : 0;
  return { ...sale, lines, totals, paid, amountDue, change };
}

function withSale(
  state: RegisterState,
  saleId: string,
  update: (sale: OpenSale) => UnpricedSale,
): RegisterState {
  if (state.openSale === null || state.openSale.saleId !== saleId) return state;
  return { ...state, openSale: reprice(update(state.openSale)) };
}

function returnLine(event: ReturnLineAdded): Omit<SaleLine, "amounts"> {
  return {
    lineId: event.lineId,
    kind: "return",
    productId: event.productId,
    name: event.name,
    barcode: null,
    quantity: event.quantity,
    unitPrice: event.unitPrice,
    taxGroupId: event.taxGroupId,
    taxRateBp: event.taxRateBp,
    voided: false,
    discounts: [],
    originalReceipt: event.originalReceipt,
    approvedBy: event.approvedBy,
  };
}

function completeSale(state: RegisterState, event: SaleCompleted): RegisterState {
  const sale = state.openSale;
  if (sale === null || sale.saleId !== event.saleId) return state;
  const completedSales: Record<string, CompletedSale> = { ...state.completedSales };

  const products: Record<string, CompletedSaleProduct> = {};
  for (const line of sale.lines) {
    if (line.voided || line.kind !== "sale") continue;
    const previous = Object.hasOwn(products, line.productId) ? products[line.productId] : undefined;
    const quantity = (previous?.quantity ?? 0) + line.quantity;
    const amount = (previous?.amount ?? 0) + line.amounts.amount;
    products[line.productId] = {
      productId: line.productId,
      name: previous?.name ?? line.name,
      quantity,
      amount,
      unitPrice: divideRounded(amount, quantity),
      taxGroupId: previous?.taxGroupId ?? line.taxGroupId,
      taxRateBp: previous?.taxRateBp ?? line.taxRateBp,
      returnedQuantity: 0,
    };
  }
  if (Object.keys(products).length > 0) {
    completedSales[sale.receiptNumber] = {
      receiptNumber: sale.receiptNumber,
      saleId: sale.saleId,
      registerId: event.registerId,
      storeId: sale.storeId,
      operatorId: sale.operatorId,
      completedAt: event.at,
      total: event.total,
      tax: event.tax,
      products,
    };
  }

  for (const line of sale.lines) {
    if (line.voided || line.kind !== "return" || line.originalReceipt === null) continue;
    const original = Object.hasOwn(completedSales, line.originalReceipt)
      ? completedSales[line.originalReceipt]
      : undefined;
    const product =
      original !== undefined && Object.hasOwn(original.products, line.productId)
        ? original.products[line.productId]
        : undefined;
    if (original === undefined || product === undefined) continue;
    completedSales[line.originalReceipt] = {
      ...original,
      products: {
        ...original.products,
        [line.productId]: {
          ...product,
          returnedQuantity: product.returnedQuantity + line.quantity,
        },
      },
    };
  }

  return {
    ...state,
    openSale: null,
    completedSales,
    lastCompletedSale: {
      receiptNumber: sale.receiptNumber,
      total: event.total,
      changeDue: event.changeDue,
      completedAt: event.at,
    },
  };
}
