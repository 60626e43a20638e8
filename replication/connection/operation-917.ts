import type { RegisterConnectionMode } from "./connection-controller.ts";
import type { ConnectionErrorCode } from "./connection-error.ts";

/**
 * Operation 917 "Database connection status": one button that reads Disconnect while the
 * register is connected and Connect while it is not, plus the status text shown beside it.
 * This is the view model only; pressing it goes through `ConnectionController.pressOperation917`.
 */

export const OPERATION_917 = {
  id: 917,
  name: "Database connection status",
} as const;

export type Operation917Label = "Disconnect" | "Connect";

/** What the button does when pressed in the current mode. */
export type Operation917Action = "disconnect" | "connect";

export type Operation917Button = {
  readonly operationId: typeof OPERATION_917.id;
  readonly name: typeof OPERATION_917.name;
  readonly label: Operation917Label;
  readonly action: Operation917Action;
  /** False when pressing would be refused; `disabledReason` then says why. */
  readonly enabled: boolean;
  readonly disabledReason: string | null;
  /** One sentence for the status header and the connection status window. */
  readonly statusText: string;
};

/** The outcome of pressing operation 917, for the register to show. */
export type Operation917Result =
  | { readonly kind: "disconnected"; readonly mode: RegisterConnectionMode }
  | { readonly kind: "connected"; readonly mode: RegisterConnectionMode }
  | {
      readonly kind: "connect-failed";
      readonly code: "CONNECT_FAILED";
      readonly message: string;
      readonly mode: RegisterConnectionMode;
    }
  | {
      readonly kind: "refused";
      readonly code: ConnectionErrorCode;
      readonly message: string;
      readonly mode: RegisterConnectionMode;
    };

const STATUS_TEXT: Readonly<Record<RegisterConnectionMode, string>> = {
  online: "Connected to the retail server.",
  offline:
    "Offline: the retail server did not answer. Sales continue on the offline database and are uploaded when the server is back.",
  "offline-manual":
    "Disconnected by hand: sales continue on the offline database until you press Connect.",
  probing: "Connecting to the retail server…",
  unavailable:
    "The retail server is unavailable and this register has no offline support: new sales cannot start until it is back.",
};

/** The status sentence for a connection mode. */
export function connectionStatusText(mode: RegisterConnectionMode): string {
  return STATUS_TEXT[mode];
}

/** The label operation 917 shows: Disconnect while connected, Connect otherwise. */
export function operation917Label(mode: RegisterConnectionMode): Operation917Label {
  return mode === "online" ? "Disconnect" : "Connect";
}

/**
 * The button model for operation 917 in the current situation.
 *
 * @example
 * operation917Button("offline-manual", { saleOpen: false, offlineSupport: true }).label // "Connect"
 */
export function operation917Button(
  mode: RegisterConnectionMode,
  context: { readonly saleOpen: boolean; readonly offlineSupport: boolean },
): Operation917Button {
  const label = operation917Label(mode);
  const action: Operation917Action = label === "Disconnect" ? "disconnect" : "connect";
  let disabledReason: string | null = null;
  if (mode === "probing") {
    disabledReason = "A connection attempt is running.";
  } else if (action === "disconnect" && !context.offlineSupport) {
    disabledReason = "This register has no offline support, so it cannot work disconnected.";
  } else if (action === "connect" && context.saleOpen) {
    disabledReason =
      "Finish or void the open sale first: the connection changes only between sales.";
  }
  return {
    operationId: OPERATION_917.id,
    name: OPERATION_917.name,
    label,
    action,
    enabled: disabledReason === null,
    disabledReason,
    statusText: connectionStatusText(mode),
  };
}
