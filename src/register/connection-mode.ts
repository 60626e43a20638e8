import type { RegisterMode } from "../../replication/register/register-view.ts";

/**
 * The status header's words for each mode. Every label starts with exactly "Online" or
 * "Offline" so a glance (or a test) tells the two apart; a manual disconnect by operation 917
 * reads "Offline (manual)".
 */
export const MODE_LABELS = {
  online: "Online",
  offline: "Offline",
  "offline-manual": "Offline (manual)",
  probing: "Offline (reconnecting)",
  unavailable: "Offline: server unavailable",
} as const satisfies Record<RegisterMode, string>;

export function modeLabel(mode: RegisterMode): string {
  return MODE_LABELS[mode];
}

/**
 * Why an operation that needs the retail server's live state (gift cards, customer accounts,
 * other stores' stock, returns of receipts this register does not hold) cannot run now, or null
 * when the register is online and it can.
 */
export function onlineOnlyReason(mode: RegisterMode): string | null {
  switch (mode) {
    case "online":
      return null;
    case "offline-manual":
      return "Needs the store server: the register was disconnected with operation 917. Press Connect first.";
    case "probing":
      return "Needs the store server: the register is reconnecting. Try again in a moment.";
    case "unavailable":
      return "Needs the store server, which is unavailable.";
    case "offline":
      return "Needs the store server: the register is offline.";
  }
}

/**
 * True when a return's original receipt was issued by another register or store, so only the
 * server holds it. Receipt numbers are `store-register-sequence`.
 */
export function isForeignReceipt(receipt: string, storeId: string, registerId: string): boolean {
  const prefix = `${storeId}-${registerId}-`;
  return !receipt.trim().startsWith(prefix);
}
