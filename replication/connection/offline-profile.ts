import { z } from "zod";
import type { OfflineProfile } from "../../domain/master-data.ts";
import { ConnectionError } from "./connection-error.ts";

/**
 * The offline profile: how long the register waits for the server before switching to its
 * offline database, and how often it tries to come back. Headquarters assigns one to a store
 * and may override it per register.
 */

/** A data request not answered within 5 s switches the register offline. */
export const DEFAULT_SWITCH_TIMEOUT_MS = 5_000;
/** While offline, a reconnect is tried at transaction start once a minute has passed. */
export const DEFAULT_RECONNECT_INTERVAL_MS = 60_000;

/**
 * Accepted range of the switch timeout. Below 100 ms a healthy server on a busy store network
 * would be declared gone; above 2 minutes the cashier would be left waiting on a dead server.
 */
export const SWITCH_TIMEOUT_BOUNDS = { minMs: 100, maxMs: 120_000 } as const;
/**
 * Accepted range of the reconnect interval: at least 1 s so a dead server is not hammered at
 * every sale, at most 24 h so a register always comes back within a business day.
 */
export const RECONNECT_INTERVAL_BOUNDS = { minMs: 1_000, maxMs: 86_400_000 } as const;

/** The profile used when neither the store nor the register names one. */
export const DEFAULT_OFFLINE_PROFILE: OfflineProfile = Object.freeze({
  id: "default",
  name: "Default offline profile",
  switchTimeoutMs: DEFAULT_SWITCH_TIMEOUT_MS,
  reconnectIntervalMs: DEFAULT_RECONNECT_INTERVAL_MS,
});

function millisecondsField(
  field: string,
  bounds: { readonly minMs: number; readonly maxMs: number },
) {
  return z
    .int({ error: `${field} must be a whole number of milliseconds.` })
    .min(bounds.minMs, {
      error: `${field} must be at least ${bounds.minMs} ms; raise it in the offline profile.`,
    })
    .max(bounds.maxMs, {
      error: `${field} must be at most ${bounds.maxMs} ms; lower it in the offline profile.`,
    });
}

/** The two timings the connection controller needs, validated against their bounds. */
export const offlineProfileTimingsSchema = z.object({
  switchTimeoutMs: millisecondsField("switchTimeoutMs", SWITCH_TIMEOUT_BOUNDS),
  reconnectIntervalMs: millisecondsField("reconnectIntervalMs", RECONNECT_INTERVAL_BOUNDS),
});

/** The timings the connection controller runs on. */
export type OfflineProfileTimings = z.infer<typeof offlineProfileTimingsSchema>;

/** A whole offline profile as it appears in the store configuration document. */
export const offlineProfileSchema = offlineProfileTimingsSchema.extend({
  id: z.string().min(1, { error: "id must not be empty." }),
  name: z.string().min(1, { error: "name must not be empty." }),
}) satisfies z.ZodType<OfflineProfile>;

function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.join(".");
      return issue.message.startsWith(path) || path === ""
        ? issue.message
        : `${path}: ${issue.message}`;
    })
    .join(" ");
}

/**
 * Validates an offline profile read from the store configuration.
 *
 * @throws ConnectionError `OFFLINE_PROFILE_INVALID` naming each bad field and its bound.
 */
export function parseOfflineProfile(input: unknown): OfflineProfile {
  const result = offlineProfileSchema.safeParse(input);
  if (!result.success) {
    throw new ConnectionError(
      "OFFLINE_PROFILE_INVALID",
      `The offline profile is invalid: ${describeIssues(result.error)}`,
      { cause: result.error },
    );
  }
  return Object.freeze(result.data);
}

/**
 * Validates just the timings, for the controller that is handed a profile directly.
 *
 * @throws ConnectionError `OFFLINE_PROFILE_INVALID` naming each bad field and its bound.
 */
export function parseOfflineProfileTimings(input: unknown): OfflineProfileTimings {
  const result = offlineProfileTimingsSchema.safeParse(input);
  if (!result.success) {
    throw new ConnectionError(
      "OFFLINE_PROFILE_INVALID",
      `The offline profile is invalid: ${describeIssues(result.error)}`,
      { cause: result.error },
    );
  }
  return Object.freeze(result.data);
}

/**
 * The profile a register runs on: its own override when headquarters set one, else its store's
 * profile, else the default (5 s switch timeout, 60 s reconnect interval).
 *
 * @example
 * resolveOfflineProfile(storeProfile, register.offlineProfileId ? profiles.get(register.offlineProfileId) : undefined)
 */
export function resolveOfflineProfile(
  storeProfile: OfflineProfile | undefined,
  registerOverride?: OfflineProfile,
): OfflineProfile {
  return registerOverride ?? storeProfile ?? DEFAULT_OFFLINE_PROFILE;
}
