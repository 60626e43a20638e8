import {
  accept,
  authorise,
  type CommandContext,
  type CommandResult,
  refuse,
} from "./command-context.ts";
import type { RegisterState } from "./register-state.ts";

/**
 * Shift commands: a shift frames the X and Z reports of a register. Opening and closing need
 * the `shift` permission (or a manager); cash is declared while the shift is open, the last
 * declaration counts.
 */

export type OpenShift = {
  /** Cash in the drawer at the start, in minor units. */
  readonly openingFloat: number;
  readonly approvedBy?: string | null;
};

/** Opens a shift with its opening float; refused while a shift or a sale is open. */
export function openShift(
  state: RegisterState,
  command: OpenShift,
  context: CommandContext,
): CommandResult {
  const authorised = authorise(context, "shift", command.approvedBy, "open a shift");
  if (!authorised.ok) return authorised;
  if (state.openShift !== null) {
    return refuse(
      "SHIFT_ALREADY_OPEN",
      "A shift is already open on this register. Close it before opening a new one.",
    );
  }
  if (state.openSale !== null) {
    return refuse("SALE_IN_PROGRESS", "Finish or void the current sale before opening a shift.");
  }
  if (!Number.isSafeInteger(command.openingFloat) || command.openingFloat < 0) {
    return refuse(
      "INVALID_AMOUNT",
      "The opening float must be zero or more. Count the drawer again.",
    );
  }
  return accept(state, context, [
    {
      type: "ShiftOpened",
      shiftId: context.newId(),
      operatorId: context.operator.id,
      openingFloat: command.openingFloat,
    },
  ]);
}

export type CloseShift = { readonly approvedBy?: string | null };

/** Closes the open shift (after which its Z report is available); refused during a sale. */
export function closeShift(
  state: RegisterState,
  command: CloseShift,
  context: CommandContext,
): CommandResult {
  const authorised = authorise(context, "shift", command.approvedBy, "close a shift");
  if (!authorised.ok) return authorised;
  if (state.openShift === null) {
    return refuse("NO_OPEN_SHIFT", "No shift is open on this register. Open a shift first.");
  }
  if (state.openSale !== null) {
    return refuse("SALE_IN_PROGRESS", "Finish or void the current sale before closing the shift.");
  }
  return accept(state, context, [
    { type: "ShiftClosed", shiftId: state.openShift.shiftId, operatorId: context.operator.id },
  ]);
}

export type DeclareCash = {
  /** Cash counted in the drawer, in minor units. */
  readonly amount: number;
  readonly approvedBy?: string | null;
};

/** Records the cash counted in the drawer for the open shift; the last declaration counts. */
export function declareCash(
  state: RegisterState,
  command: DeclareCash,
  context: CommandContext,
): CommandResult {
  const authorised = authorise(context, "shift", command.approvedBy, "declare cash");
  if (!authorised.ok) return authorised;
  if (state.openShift === null) {
    return refuse("NO_OPEN_SHIFT", "No shift is open on this register. Open a shift first.");
  }
  if (!Number.isSafeInteger(command.amount) || command.amount < 0) {
    return refuse(
      "INVALID_AMOUNT",
      "The counted cash must be zero or more. Count the drawer again.",
    );
  }
  return accept(state, context, [
    {
      type: "CashDeclared",
      shiftId: state.openShift.shiftId,
      operatorId: context.operator.id,
      amount: command.amount,
    },
  ]);
}
