import { createHash, randomBytes as nodeRandomBytes, timingSafeEqual } from "node:crypto";
import { mkdir, open, readFile, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import {
  ActivationCodeExpiredError,
  ActivationCodeInvalidError,
  DeviceRegistryCorruptError,
} from "./errors.ts";

/**
 * Which registers may talk to this retail server. A manager issues a one-time activation code in
 * the back office; the register presents it once and receives a device token, which it sends
 * with every later request and WebSocket connection. The server keeps only SHA-256 hashes of
 * codes and tokens. Revoking a register invalidates its token at once and tells the listeners
 * (the WebSocket layer closes that register's connections). State survives restarts in
 * `<dataDir>/devices.json`, written to a temporary file and renamed over the old one.
 */

/** A register holding a valid device token. */
export type ActivatedDevice = {
  readonly registerId: string;
  /** Epoch milliseconds. */
  readonly activatedAt: number;
};

/** A code handed to the person setting up the register. Shown once; stored only as a hash. */
export type IssuedActivationCode = {
  readonly registerId: string;
  /** `XXXX-XXXX` from an alphabet without look-alike characters. */
  readonly code: string;
  readonly expiresAt: number;
};

/** Why a register's token stopped working. */
export type DeviceRevocation = {
  readonly registerId: string;
  readonly reason: "revoked" | "reactivated";
};

export type DeviceRevocationListener = (revocation: DeviceRevocation) => void;

export type DeviceRegistryOptions = {
  readonly dataDir: string;
  /** Epoch milliseconds; injected so expiry is testable. */
  readonly now: () => number;
  readonly activationCodeTtlMs: number;
  /** Wrong codes tried for one register before its pending code is voided. Default 5. */
  readonly maxCodeAttempts?: number;
  /** Source of randomness; defaults to the operating system's. */
  readonly randomBytes?: (size: number) => Uint8Array;
};

export const DEVICE_REGISTRY_FILE = "devices.json";

/** 32 symbols: no I, O, 0 or 1, so a code read aloud or typed is not mistaken. */
const CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
const CODE_LENGTH = 8;
const TOKEN_BYTES = 32;

const fileSchema = z.object({
  version: z.literal(1),
  devices: z.array(
    z.object({
      registerId: z.string().min(1),
      tokenHash: z.string().regex(/^[0-9a-f]{64}$/),
      activatedAt: z.number(),
    }),
  ),
  codes: z.array(
    z.object({
      registerId: z.string().min(1),
      codeHash: z.string().regex(/^[0-9a-f]{64}$/),
      expiresAt: z.number(),
      failedAttempts: z.number().int().nonnegative(),
    }),
  ),
});
type RegistryFile = z.infer<typeof fileSchema>;
type StoredDevice = RegistryFile["devices"][number];
type PendingCode = RegistryFile["codes"][number];

/**
 * @example
 * const registry = await DeviceRegistry.open({ dataDir, now: Date.now, activationCodeTtlMs: 900_000 });
 * const { code } = await registry.issueActivationCode("R1");   // shown in the back office
 * const { token } = await registry.activate("R1", code);         // called by the register
 * registry.verify(token); // { registerId: "R1", activatedAt: ... }
 */
export class DeviceRegistry {
  readonly #path: string;
  readonly #options: DeviceRegistryOptions;
  readonly #maxCodeAttempts: number;
  readonly #randomBytes: (size: number) => Uint8Array;
  readonly #byTokenHash = new Map<string, StoredDevice>();
  readonly #byRegister = new Map<string, StoredDevice>();
  readonly #codes = new Map<string, PendingCode>();
  readonly #listeners = new Set<DeviceRevocationListener>();
  #writing: Promise<void> = Promise.resolve();

  private constructor(options: DeviceRegistryOptions, file: RegistryFile) {
    this.#options = options;
    this.#path = join(options.dataDir, DEVICE_REGISTRY_FILE);
    this.#maxCodeAttempts = options.maxCodeAttempts ?? 5;
    this.#randomBytes = options.randomBytes ?? ((size) => new Uint8Array(nodeRandomBytes(size)));
    for (const device of file.devices) this.#remember(device);
    for (const code of file.codes) this.#codes.set(code.registerId, code);
  }

  /**
   * Loads the registry from `dataDir` (an absent file is an empty registry). Throws
   * {@link DeviceRegistryCorruptError} if the file exists but is not a registry.
   */
  static async open(options: DeviceRegistryOptions): Promise<DeviceRegistry> {
    const path = join(options.dataDir, DEVICE_REGISTRY_FILE);
    let text: string | null = null;
    try {
      text = await readFile(path, "utf8");
    } catch (error) {
      if (!isMissingFile(error)) throw new DeviceRegistryCorruptError(path, error);
    }
    if (text === null) return new DeviceRegistry(options, { version: 1, devices: [], codes: [] });
    try {
      return new DeviceRegistry(options, fileSchema.parse(JSON.parse(text)));
    } catch (error) {
      throw new DeviceRegistryCorruptError(path, error);
    }
  }

  /**
   * Issues a new single-use activation code for `registerId`, replacing any code issued earlier
   * for it. Whether the register exists in the store configuration is the caller's check.
   */
  async issueActivationCode(registerId: string): Promise<IssuedActivationCode> {
    const code = this.#newCode();
    const expiresAt = this.#options.now() + this.#options.activationCodeTtlMs;
    this.#codes.set(registerId, {
      registerId,
      codeHash: sha256(normaliseCode(code)),
      expiresAt,
      failedAttempts: 0,
    });
    await this.#persist();
    return { registerId, code, expiresAt };
  }

  /**
   * Exchanges a pending activation code for a device token. The code is consumed; a register
   * activated before gets a new token and its old one stops working. Throws
   * {@link ActivationCodeInvalidError} (no pending code, wrong code: after `maxCodeAttempts` wrong
   * codes the pending one is voided) or {@link ActivationCodeExpiredError}.
   */
  async activate(
    registerId: string,
    code: string,
  ): Promise<{ readonly token: string; readonly device: ActivatedDevice }> {
    const pending = this.#codes.get(registerId);
    if (pending === undefined) throw new ActivationCodeInvalidError(registerId);
    const now = this.#options.now();
    if (now >= pending.expiresAt) {
      this.#codes.delete(registerId);
      await this.#persist();
      throw new ActivationCodeExpiredError(registerId, pending.expiresAt);
    }
    if (!hashesEqual(sha256(normaliseCode(code)), pending.codeHash)) {
      const failedAttempts = pending.failedAttempts + 1;
      if (failedAttempts >= this.#maxCodeAttempts) this.#codes.delete(registerId);
      else this.#codes.set(registerId, { ...pending, failedAttempts });
      await this.#persist();
      throw new ActivationCodeInvalidError(registerId);
    }

    this.#codes.delete(registerId);
    const replaced = this.#byRegister.get(registerId);
    if (replaced !== undefined) this.#forget(replaced);
    const token = base64url(this.#randomBytes(TOKEN_BYTES));
    const stored: StoredDevice = { registerId, tokenHash: sha256(token), activatedAt: now };
    this.#remember(stored);
    if (replaced !== undefined) this.#notify({ registerId, reason: "reactivated" });
    await this.#persist();
    return { token, device: { registerId, activatedAt: now } };
  }

  /** The device a token belongs to, or null for an unknown, revoked or replaced token. */
  verify(token: string): ActivatedDevice | null {
    if (token.length === 0 || token.length > 256) return null;
    const device = this.#byTokenHash.get(sha256(token));
    return device === undefined
      ? null
      : { registerId: device.registerId, activatedAt: device.activatedAt };
  }

  /**
   * Invalidates the register's token and any pending code, and notifies listeners; the token is
   * refused from the moment this is called, before the file is written. Resolves to false when
   * the register had neither.
   */
  async revoke(registerId: string): Promise<boolean> {
    const device = this.#byRegister.get(registerId);
    const hadCode = this.#codes.delete(registerId);
    if (device !== undefined) {
      this.#forget(device);
      this.#notify({ registerId, reason: "revoked" });
    }
    if (device === undefined && !hadCode) return false;
    await this.#persist();
    return true;
  }

  /** Calls `listener` whenever a register's token stops working. Returns an unsubscribe. */
  onRevoked(listener: DeviceRevocationListener): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /** Every activated register, for the back office. */
  devices(): readonly ActivatedDevice[] {
    return [...this.#byRegister.values()].map(({ registerId, activatedAt }) => ({
      registerId,
      activatedAt,
    }));
  }

  /** Resolves once every change made so far is on disk. */
  async flush(): Promise<void> {
    await this.#writing;
  }

  #remember(device: StoredDevice): void {
    this.#byTokenHash.set(device.tokenHash, device);
    this.#byRegister.set(device.registerId, device);
  }

  #forget(device: StoredDevice): void {
    this.#byTokenHash.delete(device.tokenHash);
    this.#byRegister.delete(device.registerId);
  }

  #notify(revocation: DeviceRevocation): void {
    for (const listener of this.#listeners) {
      try {
        listener(revocation);
      } catch {
        // A failing listener must not keep the revocation from the others.
      }
    }
  }

  #newCode(): string {
    const bytes = this.#randomBytes(CODE_LENGTH);
    let code = "";
    for (let i = 0; i < CODE_LENGTH; i++) {
      code += CODE_ALPHABET[(bytes[i] ?? 0) & 31];
      if (i === 3) code += "-";
    }
    return code;
  }

  #persist(): Promise<void> {
    const snapshot: RegistryFile = {
      version: 1,
      devices: [...this.#byRegister.values()],
      codes: [...this.#codes.values()],
    };
    const write = this.#writing.then(() => writeAtomically(this.#path, snapshot));
    this.#writing = write.catch(() => undefined);
    return write;
  }
}

/** Upper case, without separators or spaces, so `abcd-efgh` and `ABCDEFGH` are the same code. */
function normaliseCode(code: string): string {
  return code.toUpperCase().replace(/[\s-]/g, "").slice(0, 64);
}

function sha256(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

function hashesEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, "hex");
  const right = Buffer.from(b, "hex");
  return left.length === right.length && timingSafeEqual(left, right);
}

function base64url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("base64url");
}

function isMissingFile(error: unknown): boolean {
  return error instanceof Error && "code" in error && error.code === "ENOENT";
}

async function writeAtomically(path: string, value: RegistryFile): Promise<void> {
  const directory = join(path, "..");
  await mkdir(directory, { recursive: true });
  const temporary = `${path}.${process.pid}.${nodeRandomBytes(6).toString("hex")}.tmp`;
  const handle = await open(temporary, "w", 0o600);
  try {
    await handle.writeFile(`${JSON.stringify(value, null, 2)}\n`, "utf8");
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
