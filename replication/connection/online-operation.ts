import type { TenderKind } from "../../domain/master-data.ts";
import type { RegisterConnectionMode } from "./connection-controller.ts";
import { ConnectionError } from "./connection-error.ts";

/**
 * Operations that need the retail server's live state. The register refuses them unless it is
 * connected, with a message that names the operation and says why, instead of guessing from a
 * stale offline copy (a gift card balance spent twice, stock that is already gone).
 */

export const ONLINE_OPERATIONS = [
  "gift-card-payment",
  "customer-account-payment",
  "other-store-stock",
  "return-without-local-receipt",
  "customer-edit",
] as const;
export type OnlineOperation = (typeof ONLINE_OPERATIONS)[number];

/** How each online-only operation is named to the cashier, and why it needs the server. */
export const ONLINE_OPERATION_TEXT: Readonly<
  Record<OnlineOperation, { readonly name: string; readonly unavailableOffline: string }>
> = {
  "gift-card-payment": {
    name: "Gift card payment",
    unavailableOffline:
      "Gift card payments need the server's live balance and are not available offline.",
  },
  "customer-account-payment": {
    name: "Customer account payment",
    unavailableOffline:
      "Customer account payments need the server's live account balance and credit limit and are not available offline.",
  },
  "other-store-stock": {
    name: "Other stores' stock",
    unavailableOffline:
      "Other stores' stock comes live from the server and is not available offline.",
  },
  "return-without-local-receipt": {
    name: "Return of a receipt from another register",
    unavailableOffline:
      "Returns of receipts that are not on this register need the server's sales journal and are not available offline.",
  },
  "customer-edit": {
    name: "Customer edit",
    unavailableOffline:
      "Customer changes are saved on the server's customer record and are not available offline.",
  },
};

/** The online-only operation behind a tender, or null for tenders that work offline. */
export function onlineOperationForTender(kind: TenderKind): OnlineOperation | null {
  switch (kind) {
    case "gift-card":
      return "gift-card-payment";
    case "customer-account":
      return "customer-account-payment";
    case "cash":
    case "card":
      return null;
  }
}

/** Raised when an online-only operation is asked for while the register is not connected. */
export class OnlineOperationUnavailableError extends ConnectionError {
  readonly operation: OnlineOperation;
  readonly mode: RegisterConnectionMode;

  constructor(operation: OnlineOperation, mode: RegisterConnectionMode) {
    super("ONLINE_OPERATION_UNAVAILABLE", unavailableMessage(operation, mode));
    this.name = "OnlineOperationUnavailableError";
    this.operation = operation;
    this.mode = mode;
  }
}

function unavailableMessage(operation: OnlineOperation, mode: RegisterConnectionMode): string {
  const reason = ONLINE_OPERATION_TEXT[operation].unavailableOffline;
  switch (mode) {
    case "offline":
      return `${reason} Use another tender or try again once the register is back online.`;
    case "offline-manual":
      return `${reason} The register was disconnected by hand: press Connect (operation 917) first.`;
    case "probing":
      return `${reason} The register is reconnecting: try again in a few seconds.`;
    case "unavailable":
    case "online":
      return `${reason} The retail server is unavailable right now.`;
  }
}

/** The refusal for `operation` in `mode`, or null when the register is connected. */
export function checkOnlineOperation(
  mode: RegisterConnectionMode,
  operation: OnlineOperation,
): OnlineOperationUnavailableError | null {
  return mode === "online" ? null : new OnlineOperationUnavailableError(operation, mode);
}

/**
 * Throws unless the register is connected.
 *
 * @throws OnlineOperationUnavailableError `ONLINE_OPERATION_UNAVAILABLE`, naming the operation
 * and why it needs the server.
 */
export function assertOnlineOperationAllowed(
  mode: RegisterConnectionMode,
  operation: OnlineOperation,
): void {
  const refusal = checkOnlineOperation(mode, operation);
  if (refusal !== null) throw refusal;
}
