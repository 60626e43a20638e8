import type { ConnectionMode, EventMeta, ModeChanged } from "../../domain/events.ts";
import type { ConnectionEffect, RegisterConnectionMode } from "./connection-controller.ts";

/**
 * Maps the controller's mode changes onto the audit trail managers read (`ModeChanged` events,
 * which know only online and offline). The start of a probe is not recorded; its outcome is:
 * `offline -> online (reconnect)` or `offline -> offline (probe-failed)`, so every reconnect
 * attempt leaves one entry.
 */

/** The domain's view of a register mode: connected to the retail server, or not. */
export function auditMode(mode: RegisterConnectionMode): ConnectionMode {
  return mode === "online" ? "online" : "offline";
}

/**
 * The unstamped `ModeChanged` event for a `modeChanged` effect, or null when the change is the
 * start of a reconnect attempt (its outcome is recorded instead).
 *
 * @example
 * const event = modeChangedEvent(effect); if (event) register.record(event);
 */
export function modeChangedEvent(
  effect: Extract<ConnectionEffect, { type: "modeChanged" }>,
): Omit<ModeChanged, keyof EventMeta> | null {
  if (effect.to === "probing") return null;
  return {
    type: "ModeChanged",
    from: auditMode(effect.from),
    to: auditMode(effect.to),
    reason: effect.reason,
  };
}
