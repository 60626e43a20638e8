import type { CommandContext, CommandResult } from "./command-context.ts";
import { type ApplyDiscount, applyDiscount } from "./discount-commands.ts";
import { type RecordModeChange, recordModeChange } from "./mode-change.ts";
import { type AddPayment, addPayment } from "./payment-commands.ts";
import type { RegisterState } from "./register-state.ts";
import { type AddReturnLine, addReturnLine } from "./return-commands.ts";
import {
  type AddLine,
  type AttachCustomer,
  addLine,
  attachCustomer,
  type ChangeQuantity,
  changeQuantity,
  completeSale,
  startSale,
  type VoidLine,
  type VoidSale,
  voidLine,
  voidSale,
} from "./sale-commands.ts";
import {
  type CloseShift,
  closeShift,
  type DeclareCash,
  declareCash,
  type OpenShift,
  openShift,
} from "./shift-commands.ts";

/**
 * Every register command as one discriminated union, so the register app, the headless
 * simulator and tests can queue, log and dispatch commands uniformly.
 */
export type RegisterCommand =
  | { readonly type: "startSale" }
  | ({ readonly type: "addLine" } & AddLine)
  | ({ readonly type: "changeQuantity" } & ChangeQuantity)
  | ({ readonly type: "voidLine" } & VoidLine)
  | ({ readonly type: "applyDiscount" } & ApplyDiscount)
  | ({ readonly type: "attachCustomer" } & AttachCustomer)
  | ({ readonly type: "addPayment" } & AddPayment)
  | { readonly type: "completeSale" }
  | ({ readonly type: "voidSale" } & VoidSale)
  | ({ readonly type: "addReturnLine" } & AddReturnLine)
  | ({ readonly type: "openShift" } & OpenShift)
  | ({ readonly type: "closeShift" } & CloseShift)
  | ({ readonly type: "declareCash" } & DeclareCash)
  | ({ readonly type: "recordModeChange" } & RecordModeChange);

export type RegisterCommandType = RegisterCommand["type"];

/** Runs a command against the state; see each command for its rules. */
export function executeCommand(
  state: RegisterState,
  command: RegisterCommand,
  context: CommandContext,
): CommandResult {
  switch (command.type) {
    case "startSale":
      return startSale(state, {}, context);
    case "addLine":
      return addLine(state, command, context);
    case "changeQuantity":
      return changeQuantity(state, command, context);
    case "voidLine":
      return voidLine(state, command, context);
    case "applyDiscount":
      return applyDiscount(state, command, context);
    case "attachCustomer":
      return attachCustomer(state, command, context);
    case "addPayment":
      return addPayment(state, command, context);
    case "completeSale":
      return completeSale(state, {}, context);
    case "voidSale":
      return voidSale(state, command, context);
    case "addReturnLine":
      return addReturnLine(state, command, context);
    case "openShift":
      return openShift(state, command, context);
    case "closeShift":
      return closeShift(state, command, context);
    case "declareCash":
      return declareCash(state, command, context);
    case "recordModeChange":
      return recordModeChange(state, command, context);
  }
}
