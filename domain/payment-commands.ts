import { accept, type CommandContext, type CommandResult, refuse } from "./command-context.ts";
import { formatAmount } from "./errors.ts";
import { type TenderType, tenderRequiresServer } from "./master-data.ts";
import type { RegisterState } from "./register-state.ts";
import { requireOpenSale } from "./sale-guards.ts";

export type AddPayment = {
  readonly tender: TenderType;
  /** Positive to take payment; negative to refund when the sale's total is negative. */
  readonly amount: number;
  /** Card slip, gift card number, ... */
  readonly reference?: string | null;
};

/**
 * Takes a payment (or pays a refund) on the open sale.
 *
 * - Cash may exceed what is due: the difference is change.
 * - Card and every other tender may not exceed what is due.
 * - Gift cards and customer accounts need the server's live balances and are refused offline.
 * - When the sale's total is negative (returns), payments are negative and no tender may refund
 *   more than is still owed.
 */
export function addPayment(
  state: RegisterState,
  command: AddPayment,
  context: CommandContext,
): CommandResult {
  const open = requireOpenSale(state);
  if (!open.ok) return open;
  const sale = open.value;
  const { tender, amount } = command;
  if (!Number.isSafeInteger(amount) || amount === 0) {
    return refuse("INVALID_AMOUNT", "Enter an amount of at least 0.01.");
  }
  if (tenderRequiresServer(tender.kind) && !context.online) {
    return refuse(
      "ONLINE_ONLY_TENDER_OFFLINE",
      `${tender.name} needs the store server, which is unavailable. Take another tender, or try again when the register is back online.`,
    );
  }
  if (sale.amountDue === 0) {
    return refuse("NOTHING_DUE", "Nothing is due on this sale. Complete the sale.");
  }
  if (sale.amountDue > 0) {
    if (amount < 0) {
      return refuse(
        "INVALID_AMOUNT",
        "This sale is a payment, not a refund. Enter a positive amount.",
      );
    }
    if (tender.kind !== "cash" && amount > sale.amountDue) {
      return refuse(
        tender.kind === "card" ? "CARD_OVERPAY" : "TENDER_OVERPAY",
        `${tender.kind === "card" ? "Card payments" : `${tender.name} payments`} cannot exceed the amount due (${formatAmount(sale.amountDue)}). Pay the rest in cash or reduce the ${tender.kind === "card" ? "card" : "tendered"} amount.`,
      );
    }
  } else {
    if (amount > 0) {
      return refuse(
        "INVALID_AMOUNT",
        `This sale is a refund of ${formatAmount(-sale.amountDue)}. Enter the refund as a negative amount.`,
      );
    }
    if (amount < sale.amountDue) {
      return refuse(
        "TENDER_OVERPAY",
        `A refund cannot exceed what is owed (${formatAmount(-sale.amountDue)}). Reduce the refund.`,
      );
    }
  }
  return accept(state, context, [
    {
      type: "PaymentAdded",
      saleId: sale.saleId,
      paymentId: context.newId(),
      tenderTypeId: tender.id,
      tenderKind: tender.kind,
      amount,
      reference: command.reference ?? null,
    },
  ]);
}
