import {
  accept,
  authorise,
  type CommandContext,
  type CommandResult,
  hasPermission,
  refuse,
} from "./command-context.ts";
import { formatAmount } from "./errors.ts";
import type { Customer, Product, TaxGroup } from "./master-data.ts";
import { canFormatReceiptNumber, formatReceiptNumber } from "./receipt-number.ts";
import type { RegisterState } from "./register-state.ts";
import { checkReturnQuantity } from "./return-commands.ts";
import {
  requireActiveLine,
  requireNoPayments,
  requireOpenSale,
  requireQuantity,
} from "./sale-guards.ts";

/**
 * The sale commands. Each takes the folded state, the command and the context, and returns the
 * stamped events to append, or a refusal; none throws for a business rule.
 */

/** No payload: the receipt number and shift come from the state, the rest from the context. */
export type StartSale = Record<string, never>;

/** Opens a sale with the next receipt number of this register. Needs `sell`. */
export function startSale(
  state: RegisterState,
  _command: StartSale,
  context: CommandContext,
): CommandResult {
  if (state.registerId !== null && state.registerId !== context.registerId) {
    return refuse(
      "REGISTER_MISMATCH",
      `This log belongs to register ${state.registerId}, not ${context.registerId}. Restart the register app.`,
    );
  }
  if (!hasPermission(context.operator, "sell")) {
    return refuse(
      "PERMISSION_DENIED",
      `${context.operator.name} may not sell. Sign in as a cashier.`,
    );
  }
  if (state.openSale !== null) {
    return refuse(
      "SALE_ALREADY_OPEN",
      `Sale ${state.openSale.receiptNumber} is still open. Complete or void it before starting another.`,
    );
  }
  if (!canFormatReceiptNumber(context.storeId, context.registerId)) {
    return refuse(
      "INVALID_RECEIPT_NUMBER",
      `Store id "${context.storeId}" cannot appear in a receipt number. Ask the back office to use a store id without "-" or spaces.`,
    );
  }
  return accept(state, context, [
    {
      type: "SaleStarted",
      saleId: context.newId(),
      receiptNumber: formatReceiptNumber({
        storeId: context.storeId,
        registerId: context.registerId,
        sequence: state.nextReceiptSequence,
      }),
      storeId: context.storeId,
      operatorId: context.operator.id,
      shiftId: state.openShift?.shiftId ?? null,
      pricesIncludeTax: context.pricesIncludeTax,
    },
  ]);
}

export type AddLine = {
  /** The product as master data holds it now; its price and tax are recorded on the line. */
  readonly product: Product;
  readonly taxGroup: TaxGroup;
  readonly quantity: number;
  /** The barcode scanned, if any. */
  readonly barcode?: string | null;
};

/** Adds a product to the open sale at its current price and tax rate. */
export function addLine(
  state: RegisterState,
  command: AddLine,
  context: CommandContext,
): CommandResult {
  const open = requireOpenSale(state);
  if (!open.ok) return open;
  const unpaid = requireNoPayments(open.value);
  if (!unpaid.ok) return unpaid;
  if (!hasPermission(context.operator, "sell")) {
    return refuse(
      "PERMISSION_DENIED",
      `${context.operator.name} may not sell. Sign in as a cashier.`,
    );
  }
  const { product, taxGroup } = command;
  if (!product.active) {
    return refuse(
      "PRODUCT_INACTIVE",
      `"${product.name}" is no longer sold. Put it aside and ask a manager.`,
    );
  }
  if (product.taxGroupId !== taxGroup.id) {
    return refuse(
      "TAX_GROUP_MISMATCH",
      `"${product.name}" has no valid tax group on this register. Wait for the next master data update or ask the back office.`,
    );
  }
  const quantity = requireQuantity(command.quantity);
  if (!quantity.ok) return quantity;
  return accept(state, context, [
    {
      type: "LineAdded",
      saleId: open.value.saleId,
      lineId: context.newId(),
      productId: product.id,
      name: product.name,
      barcode: command.barcode ?? null,
      quantity: quantity.value,
      unitPrice: product.price,
      taxGroupId: taxGroup.id,
      taxRateBp: taxGroup.rateBp,
    },
  ]);
}

export type ChangeQuantity = { readonly lineId: string; readonly quantity: number };

/** Sets a line's quantity; for a return with receipt, no more than the receipt still allows. */
export function changeQuantity(
  state: RegisterState,
  command: ChangeQuantity,
  context: CommandContext,
): CommandResult {
  const open = requireOpenSale(state);
  if (!open.ok) return open;
  const unpaid = requireNoPayments(open.value);
  if (!unpaid.ok) return unpaid;
  const line = requireActiveLine(open.value, command.lineId);
  if (!line.ok) return line;
  const quantity = requireQuantity(command.quantity);
  if (!quantity.ok) return quantity;
  if (line.value.kind === "return" && line.value.originalReceipt !== null) {
    const check = checkReturnQuantity(
      state,
      context,
      line.value.originalReceipt,
      line.value.productId,
      quantity.value,
      line.value.lineId,
    );
    if (!check.ok) return check;
  }
  return accept(state, context, [
    {
      type: "LineQuantityChanged",
      saleId: open.value.saleId,
      lineId: command.lineId,
      quantity: quantity.value,
    },
  ]);
}

export type VoidLine = { readonly lineId: string; readonly approvedBy?: string | null };

/** Voids a line (it stays on the journal, counted as zero). Needs `void-line` or a manager. */
export function voidLine(
  state: RegisterState,
  command: VoidLine,
  context: CommandContext,
): CommandResult {
  const open = requireOpenSale(state);
  if (!open.ok) return open;
  const unpaid = requireNoPayments(open.value);
  if (!unpaid.ok) return unpaid;
  const line = requireActiveLine(open.value, command.lineId);
  if (!line.ok) return line;
  const authorised = authorise(context, "void-line", command.approvedBy, "void a line");
  if (!authorised.ok) return authorised;
  return accept(state, context, [
    { type: "LineVoided", saleId: open.value.saleId, lineId: command.lineId },
  ]);
}

export type AttachCustomer = { readonly customer: Customer };

/** Attaches (or replaces) the customer of the open sale. */
export function attachCustomer(
  state: RegisterState,
  command: AttachCustomer,
  context: CommandContext,
): CommandResult {
  const open = requireOpenSale(state);
  if (!open.ok) return open;
  return accept(state, context, [
    {
      type: "CustomerAttached",
      saleId: open.value.saleId,
      customerId: command.customer.id,
      name: command.customer.name,
    },
  ]);
}

/** No payload: totals, tax and change are taken from the folded sale. */
export type CompleteSale = Record<string, never>;

/** Completes the open sale once fully paid, recording total, tax and change due. */
export function completeSale(
  state: RegisterState,
  _command: CompleteSale,
  context: CommandContext,
): CommandResult {
  const open = requireOpenSale(state);
  if (!open.ok) return open;
  const sale = open.value;
  if (!sale.lines.some((line) => !line.voided)) {
    return refuse("SALE_EMPTY", "This sale has no items. Add an item or void the sale.");
  }
  const total = sale.totals.total;
  const paidInFull = total >= 0 ? sale.paid >= total : sale.paid === total;
  if (!paidInFull) {
    return refuse(
      "SALE_NOT_PAID",
      total >= 0
        ? `${formatAmount(sale.amountDue)} is still due. Take payment for the rest before completing.`
        : `${formatAmount(-sale.amountDue)} is still to be refunded. Refund it before completing.`,
    );
  }
  return accept(state, context, [
    {
      type: "SaleCompleted",
      saleId: sale.saleId,
      total,
      tax: sale.totals.tax,
      changeDue: sale.change,
    },
  ]);
}

export type VoidSale = { readonly reason: string; readonly approvedBy?: string | null };

/**
 * Voids the open sale (kept in the log, reported as voided). Needs `void-sale` or a manager.
 * Payments already taken must be handed back by the cashier; the X report lists voided sales.
 */
export function voidSale(
  state: RegisterState,
  command: VoidSale,
  context: CommandContext,
): CommandResult {
  const open = requireOpenSale(state);
  if (!open.ok) return open;
  const authorised = authorise(context, "void-sale", command.approvedBy, "void a sale");
  if (!authorised.ok) return authorised;
  return accept(state, context, [
    {
      type: "SaleVoided",
      saleId: open.value.saleId,
      reason: command.reason,
      approvedBy: authorised.approvedBy,
    },
  ]);
}
