import type { Operator, OperatorRole, Permission } from "../../domain/master-data.ts";

/**
 * What each role may do by default. Headquarters copies these into each operator record when it
 * creates the operator; the record's own `permissions` list is what the register enforces, so a
 * store can grant or withhold single permissions without a new role.
 */
export const ROLE_PERMISSIONS: Readonly<Record<OperatorRole, readonly Permission[]>> = {
  cashier: ["sell", "void-line", "discount", "return-with-receipt", "shift", "x-report"],
  manager: [
    "sell",
    "void-line",
    "void-sale",
    "discount",
    "return-with-receipt",
    "return-blind",
    "shift",
    "x-report",
    "z-report",
    "manager-override",
    "back-office",
  ],
};

/** True when the operator record grants `permission`. */
export function hasPermission(
  operator: Pick<Operator, "permissions">,
  permission: Permission,
): boolean {
  return operator.permissions.includes(permission);
}

/**
 * True when `manager` may approve, with their own PIN, an action `operator` is not allowed to do:
 * the approver must be a different person and hold `manager-override`.
 */
export function canOverride(
  manager: Pick<Operator, "id" | "permissions">,
  operator: Pick<Operator, "id">,
): boolean {
  return manager.id !== operator.id && hasPermission(manager, "manager-override");
}
