import { z } from "zod";
import type { DeviceIdentity } from "../../replication/register/node-register.ts";

export type { DeviceIdentity };

/** What a browser register keeps after activation; the same shape as the Node register's. */
export const deviceIdentitySchema = z.strictObject({
  registerId: z.string().min(1).max(64),
  storeId: z.string().min(1).max(64),
  token: z.string().min(16).max(512),
  offlineSupport: z.boolean(),
}) satisfies z.ZodType<DeviceIdentity>;

const activationResponseSchema = z.object({
  registerId: z.string().min(1).max(64),
  storeId: z.string().min(1).max(64),
  token: z.string().min(16).max(512),
  offlineSupport: z.boolean().optional(),
});

const errorBodySchema = z.object({ error: z.object({ message: z.string() }) });

/** Raised when activation with the retail server fails; the message says what to do. */
export class BrowserActivationError extends Error {
  readonly code = "POS_REGISTER_ACTIVATION";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "BrowserActivationError";
  }
}

/** Where the browser keeps the identity: one localStorage entry per origin. */
const STORAGE_KEY = "pos.register.device";

/**
 * Reads the identity stored after activation, or null on a device never activated (or whose
 * entry is unreadable: it then activates again).
 */
export function readDeviceIdentity(storage: Storage): DeviceIdentity | null {
  const text = storage.getItem(STORAGE_KEY);
  if (text === null) return null;
  try {
    const parsed = deviceIdentitySchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** Stores the identity; localStorage writes are atomic per entry. */
export function writeDeviceIdentity(storage: Storage, identity: DeviceIdentity): void {
  storage.setItem(STORAGE_KEY, JSON.stringify(deviceIdentitySchema.parse(identity)));
}

/**
 * Activates `registerId` with the one-time code from the back office
 * (`POST /api/devices/activate`). A register the server does not describe is taken to have
 * offline support; the store configuration corrects the flag once it arrives.
 *
 * @throws BrowserActivationError when the server cannot be reached or refuses the code.
 */
export async function activateBrowserRegister(input: {
  readonly registerId: string;
  readonly code: string;
  readonly fetch?: typeof fetch;
}): Promise<DeviceIdentity> {
  const send = input.fetch ?? globalThis.fetch.bind(globalThis);
  let response: Response;
  try {
    response = await send("/api/devices/activate", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ registerId: input.registerId, code: input.code }),
      cache: "no-store",
      signal: AbortSignal.timeout(10_000),
    });
  } catch (cause) {
    throw new BrowserActivationError(
      "The retail server could not be reached. Check the store network and try again.",
      { cause },
    );
  }
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const detail = errorBodySchema.safeParse(body);
    throw new BrowserActivationError(
      `Activation of ${input.registerId} was refused${detail.success ? `: ${detail.data.error.message}` : ` (${response.status})`}. Check the register and ask the back office for a new code.`,
    );
  }
  const parsed = activationResponseSchema.safeParse(body);
  if (!parsed.success) {
    throw new BrowserActivationError(
      "The retail server's answer to the activation was not understood. Try again.",
      { cause: parsed.error },
    );
  }
  return {
    registerId: parsed.data.registerId,
    storeId: parsed.data.storeId,
    token: parsed.data.token,
    offlineSupport: parsed.data.offlineSupport ?? true,
  };
}
