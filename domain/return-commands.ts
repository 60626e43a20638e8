import {
  accept,
  authorise,
  type CommandContext,
  type CommandResult,
  hasPermission,
  managerApproval,
} from "./command-context.ts";
import { DomainError } from "./errors.ts";
import type { Product, TaxGroup } from "./master-data.ts";
import type { CompletedSale, CompletedSaleProduct, RegisterState } from "./register-state.ts";
import { requireNoPayments, requireOpenSale, requireQuantity } from "./sale-guards.ts";

/**
 * Returns are negative lines on a sale. With a receipt, the goods and the price paid come from
 * the completed sale (this register's log, or the server while online); no more can be taken back
 * than was sold minus what completed and pending returns already took. Without a receipt (a blind
 * return), the operator needs `return-blind` or an approving manager.
 */
export type AddReturnLine =
  | {
      readonly kind: "receipt";
      readonly receiptNumber: string;
      readonly productId: string;
      readonly quantity: number;
      /** A manager, when the operator lacks `return-with-receipt`. */
      readonly approvedBy?: string | null;
    }
  | {
      readonly kind: "blind";
      readonly product: Product;
      readonly taxGroup: TaxGroup;
      readonly quantity: number;
      /** A manager, when the operator lacks `return-blind`. */
      readonly approvedBy?: string | null;
    };

/** Adds a return line to the open sale (see AddReturnLine for the rules). */
export function addReturnLine(
  state: RegisterState,
  command: AddReturnLine,
  context: CommandContext,
): CommandResult {
  const open = requireOpenSale(state);
  if (!open.ok) return open;
  const unpaid = requireNoPayments(open.value);
  if (!unpaid.ok) return unpaid;
  const quantity = requireQuantity(command.quantity);
  if (!quantity.ok) return quantity;

  if (command.kind === "blind") {
    let approvedBy: string;
    if (command.approvedBy !== undefined && command.approvedBy !== null) {
      const approval = managerApproval(
        context,
        command.approvedBy,
        "approve a return without receipt",
      );
      if (!approval.ok) return approval;
      approvedBy = approval.approvedBy;
    } else if (hasPermission(context.operator, "return-blind")) {
      approvedBy = context.operator.id;
    } else {
      return {
        ok: false,
        error: new DomainError(
          "RETURN_NEEDS_RECEIPT_OR_PERMISSION",
          "A return without a receipt needs a manager's approval. Scan the receipt or call a manager.",
        ),
      };
    }
    const { product, taxGroup } = command;
    if (product.taxGroupId !== taxGroup.id) {
      return {
        ok: false,
        error: new DomainError(
          "TAX_GROUP_MISMATCH",
          `"${product.name}" has no valid tax group on this register. Wait for the next master data update or ask the back office.`,
        ),
      };
    }
    return accept(state, context, [
      {
        type: "ReturnLineAdded",
        saleId: open.value.saleId,
        lineId: context.newId(),
        productId: product.id,
        name: product.name,
        quantity: quantity.value,
        unitPrice: product.price,
        taxGroupId: taxGroup.id,
        taxRateBp: taxGroup.rateBp,
        originalReceipt: null,
        approvedBy,
      },
    ]);
  }

  const authorised = authorise(
    context,
    "return-with-receipt",
    command.approvedBy,
    "take back goods",
  );
  if (!authorised.ok) return authorised;
  const check = checkReturnQuantity(
    state,
    context,
    command.receiptNumber,
    command.productId,
    quantity.value,
    null,
  );
  if (!check.ok) return check;
  const product = check.value;
  return accept(state, context, [
    {
      type: "ReturnLineAdded",
      saleId: open.value.saleId,
      lineId: context.newId(),
      productId: product.productId,
      name: product.name,
      quantity: quantity.value,
      unitPrice: product.unitPrice,
      taxGroupId: product.taxGroupId,
      taxRateBp: product.taxRateBp,
      originalReceipt: command.receiptNumber,
      approvedBy: authorised.approvedBy,
    },
  ]);
}

/** Finds a completed sale: this register's log first, then the server while online. */
export function findCompletedSale(
  state: RegisterState,
  context: CommandContext,
  receiptNumber: string,
): { ok: true; value: CompletedSale } | { ok: false; error: DomainError } {
  const local = Object.hasOwn(state.completedSales, receiptNumber)
    ? state.completedSales[receiptNumber]
    : undefined;
  if (local !== undefined) return { ok: true, value: local };
  if (!context.online) {
    return {
      ok: false,
      error: new DomainError(
        "RECEIPT_NOT_ON_REGISTER_OFFLINE",
        `Receipt ${receiptNumber} was not sold on this register and the store server is unavailable. Try again when the register is back online, or make a return without receipt with a manager.`,
      ),
    };
  }
  const remote = context.findReceipt?.(receiptNumber);
  if (remote === undefined) {
    return {
      ok: false,
      error: new DomainError(
        "RECEIPT_NOT_FOUND",
        `Receipt ${receiptNumber} was not found. Check the number on the receipt and enter it again.`,
      ),
    };
  }
  return { ok: true, value: remote };
}

/**
 * Checks that `quantity` units of `productId` may be returned against `receiptNumber`: sold minus
 * returned by completed sales minus pending return lines of the open sale (except `exceptLineId`).
 */
export function checkReturnQuantity(
  state: RegisterState,
  context: CommandContext,
  receiptNumber: string,
  productId: string,
  quantity: number,
  exceptLineId: string | null,
): { ok: true; value: CompletedSaleProduct } | { ok: false; error: DomainError } {
  const found = findCompletedSale(state, context, receiptNumber);
  if (!found.ok) return found;
  const product = Object.hasOwn(found.value.products, productId)
    ? found.value.products[productId]
    : undefined;
  if (product === undefined) {
    return {
      ok: false,
      error: new DomainError(
        "RETURN_EXCEEDS_SOLD",
        `Receipt ${receiptNumber} has no such item. Check the item against the receipt.`,
      ),
    };
  }
  const pending = (state.openSale?.lines ?? [])
    .filter(
      (line) =>
        line.kind === "return" &&
        !line.voided &&
        line.originalReceipt === receiptNumber &&
        line.productId === productId &&
        line.lineId !== exceptLineId,
    )
    .reduce((sum, line) => sum + line.quantity, 0);
  const returnable = product.quantity - product.returnedQuantity - pending;
  if (quantity > returnable) {
    return {
      ok: false,
      error: new DomainError(
        "RETURN_EXCEEDS_SOLD",
        `Only ${Math.max(0, returnable)} of "${product.name}" can still be returned on receipt ${receiptNumber}. Lower the quantity.`,
      ),
    };
  }
  return { ok: true, value: product };
}
