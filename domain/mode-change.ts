import { accept, type CommandContext, type CommandResult, refuse } from "./command-context.ts";
import type { ConnectionMode, ModeChangeReason } from "./events.ts";
import type { RegisterState } from "./register-state.ts";

export type RecordModeChange = {
  readonly to: ConnectionMode;
  readonly reason: ModeChangeReason;
};

/**
 * Records a switch of the connection mode in the register's log (the audit trail managers see).
 * The connection controller decides the switch; this only refuses a "switch" to the current mode.
 * Allowed in the middle of a sale: the automatic switch happens exactly there.
 */
export function recordModeChange(
  state: RegisterState,
  command: RecordModeChange,
  context: CommandContext,
): CommandResult {
  if (state.mode === command.to) {
    return refuse("MODE_UNCHANGED", `The register is already ${command.to}.`);
  }
  return accept(state, context, [
    { type: "ModeChanged", from: state.mode, to: command.to, reason: command.reason },
  ]);
}
