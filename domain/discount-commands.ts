import {
  accept,
  authorise,
  type CommandContext,
  type CommandResult,
  managerApproval,
  refuse,
} from "./command-context.ts";
import { formatAmount } from "./errors.ts";
import type { DiscountKind } from "./master-data.ts";
import { applyBasisPoints } from "./money.ts";
import type { RegisterState } from "./register-state.ts";
import { requireActiveLine, requireNoPayments, requireOpenSale } from "./sale-guards.ts";
import { discountOn } from "./sale-pricing.ts";

export type ApplyDiscount = {
  /** The line to discount, or null for a transaction (whole sale) discount. */
  readonly lineId: string | null;
  readonly kind: DiscountKind;
  /** Basis points (1-10000) for `percent`, minor units (> 0) for `amount`. */
  readonly value: number;
  /** The master data discount used, null for a manual discount. */
  readonly discountId?: string | null;
  /** A different operator holding `manager-override`, needed above the operator's limit. */
  readonly approvedBy?: string | null;
};

/**
 * Applies a line or transaction discount. The operator needs `discount` (or a manager). The
 * target's whole discount after this one (see sale-pricing.ts) may not exceed the operator's
 * `maxDiscountBp` of the target's amount, rounded the same way; above that a manager must
 * approve, and is recorded in `approvedBy`. Return lines take no discounts.
 */
export function applyDiscount(
  state: RegisterState,
  command: ApplyDiscount,
  context: CommandContext,
): CommandResult {
  const open = requireOpenSale(state);
  if (!open.ok) return open;
  const sale = open.value;
  const unpaid = requireNoPayments(sale);
  if (!unpaid.ok) return unpaid;

  const { kind, value } = command;
  const validValue =
    Number.isSafeInteger(value) && value > 0 && (kind === "amount" || value <= 10_000);
  if (!validValue) {
    return refuse(
      "INVALID_DISCOUNT",
      kind === "percent"
        ? "A percent discount must be more than 0 % and at most 100 %. Enter it again."
        : "A discount amount must be more than zero. Enter it again.",
    );
  }

  let base: number;
  let existing: readonly { kind: DiscountKind; value: number }[];
  if (command.lineId !== null) {
    const line = requireActiveLine(sale, command.lineId);
    if (!line.ok) return line;
    if (line.value.kind === "return") {
      return refuse(
        "DISCOUNT_ON_RETURN_LINE",
        "A returned item is refunded at the price paid and cannot be discounted.",
      );
    }
    base = line.value.amounts.gross;
    existing = line.value.discounts;
  } else {
    base = sale.lines
      .filter((line) => line.kind === "sale" && !line.voided)
      .reduce((sum, line) => sum + line.amounts.gross - line.amounts.lineDiscount, 0);
    existing = sale.saleDiscounts;
  }
  if (kind === "amount" && value > base) {
    return refuse(
      "INVALID_DISCOUNT",
      `The discount (${formatAmount(value)}) is more than the amount it applies to (${formatAmount(base)}). Enter a smaller discount.`,
    );
  }

  const approvedBy = command.approvedBy ?? null;
  let approver: string | null = null;
  if (approvedBy !== null) {
    const approval = managerApproval(context, approvedBy, "approve this discount");
    if (!approval.ok) return approval;
    approver = approval.approvedBy;
  } else {
    const allowed = authorise(context, "discount", null, "give discounts");
    if (!allowed.ok) return allowed;
    const after = discountOn(base, [...existing, { kind, value }]);
    const limit = applyBasisPoints(base, context.operator.maxDiscountBp);
    if (after > limit) {
      const percent = (context.operator.maxDiscountBp / 100).toFixed(2).replace(/\.?0+$/, "");
      return refuse(
        "DISCOUNT_OVER_LIMIT",
        `${context.operator.name} may discount at most ${percent} % (${formatAmount(limit)}) here. Ask a manager to approve a larger discount.`,
      );
    }
  }

  return accept(state, context, [
    {
      type: "DiscountApplied",
      saleId: sale.saleId,
      discountId: command.discountId ?? null,
      lineId: command.lineId,
      kind,
      value,
      operatorId: context.operator.id,
      approvedBy: approver,
    },
  ]);
}
