import { DomainError } from "./errors.ts";
import type { PosEvent, UnstampedEvent } from "./events.ts";
import type { Operator, Permission } from "./master-data.ts";
import type { CompletedSale, RegisterState } from "./register-state.ts";

/**
 * Everything a command needs besides the folded state. Passed in by the register (or a test), so
 * commands stay pure: no clock, no randomness, no I/O of their own.
 */
export type CommandContext = {
  readonly registerId: string;
  readonly storeId: string;
  /** Epoch milliseconds; every event of one command gets this time. */
  readonly now: number;
  /** Globally unique ids (event ids, sale, line, payment and shift ids). */
  readonly newId: () => string;
  /** The signed-in operator issuing the command. */
  readonly operator: Operator;
  /** False while the register runs on its offline database. */
  readonly online: boolean;
  readonly pricesIncludeTax: boolean;
  /** Operators of the store, for manager approvals. */
  readonly findOperator: (operatorId: string) => Operator | undefined;
  /**
   * Looks a receipt up on the retail server when it is not in the local log. Only consulted while
   * online; offline, returns of receipts not on this register are refused.
   */
  readonly findReceipt?: (receiptNumber: string) => CompletedSale | undefined;
};

/** A command either emits fully stamped events or is refused with a `DomainError`. */
export type CommandResult =
  | { readonly ok: true; readonly events: readonly PosEvent[] }
  | { readonly ok: false; readonly error: DomainError };

/** A refused command: the error a cashier sees, no events. */
export function refuse(code: DomainError["code"], message: string): CommandResult {
  return { ok: false, error: new DomainError(code, message) };
}

/**
 * Stamps events with id (from `newId()`), register id, gapless sequence numbers following
 * `state.lastSeq`, and the context's time.
 */
export function accept(
  state: RegisterState,
  context: CommandContext,
  events: readonly UnstampedEvent[],
): CommandResult {
  const stamped = events.map(
    (event, i) =>
      ({
        ...event,
        id: context.newId(),
        registerId: context.registerId,
        seq: state.lastSeq + 1 + i,
        at: context.now,
      }) as PosEvent,
  );
  return { ok: true, events: stamped };
}

/** True when the operator holds `permission` themselves (no approval considered). */
export function hasPermission(operator: Operator, permission: Permission): boolean {
  return operator.permissions.includes(permission);
}

/**
 * Resolves who authorises an action needing `permission`: the operator themselves when they hold
 * it, otherwise `approvedBy`, who must be a different operator holding `manager-override`.
 * Returns the approver id (null when the operator's own permission suffices) or a refusal.
 */
export function authorise(
  context: CommandContext,
  permission: Permission,
  approvedBy: string | null | undefined,
  action: string,
): { ok: true; approvedBy: string | null } | { ok: false; error: DomainError } {
  if (approvedBy === undefined || approvedBy === null) {
    if (hasPermission(context.operator, permission)) return { ok: true, approvedBy: null };
    return {
      ok: false,
      error: new DomainError(
        "PERMISSION_DENIED",
        `${context.operator.name} may not ${action}. Ask a manager to approve it.`,
      ),
    };
  }
  return managerApproval(context, approvedBy, action);
}

/** Checks that `approvedBy` is another operator holding `manager-override`. */
export function managerApproval(
  context: CommandContext,
  approvedBy: string,
  action: string,
): { ok: true; approvedBy: string } | { ok: false; error: DomainError } {
  if (approvedBy === context.operator.id) {
    return {
      ok: false,
      error: new DomainError(
        "MANAGER_MUST_DIFFER",
        `The approving manager must be someone other than ${context.operator.name}. Call a manager to approve.`,
      ),
    };
  }
  const manager = context.findOperator(approvedBy);
  if (manager === undefined) {
    return {
      ok: false,
      error: new DomainError(
        "MANAGER_NOT_FOUND",
        "The approving operator is not known at this store. Ask a manager of this store to approve.",
      ),
    };
  }
  if (!hasPermission(manager, "manager-override")) {
    return {
      ok: false,
      error: new DomainError(
        "PERMISSION_DENIED",
        `${manager.name} cannot approve: only a manager may ${action}.`,
      ),
    };
  }
  return { ok: true, approvedBy };
}
