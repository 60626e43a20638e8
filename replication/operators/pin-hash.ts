import type { PinHash } from "../../domain/master-data.ts";

/**
 * Operator PINs are stored only as salted PBKDF2-SHA256 hashes, computed with WebCrypto
 * (`globalThis.crypto.subtle`) so the same code runs on the retail server (Node) and in the
 * register app (browser). The iteration count is recorded in every hash record, so it can be
 * raised later without invalidating PINs hashed earlier.
 */

/** Iterations used for new hashes. A PIN has little entropy; the cost slows offline guessing. */
export const DEFAULT_PIN_HASH_ITERATIONS = 100_000;

/** Hash records outside these bounds are refused: too weak, or a way to stall a register. */
export const MIN_PIN_HASH_ITERATIONS = 1_000;
export const MAX_PIN_HASH_ITERATIONS = 5_000_000;

const SALT_BYTES = 16;
const HASH_BITS = 256;

export type HashPinOptions = {
  /** Defaults to {@link DEFAULT_PIN_HASH_ITERATIONS}. */
  readonly iterations?: number;
  /**
   * Fixed salt (at least 16 bytes). Only for deterministic fixtures such as the demo store;
   * real enrolment leaves it out and gets a random salt.
   */
  readonly salt?: Uint8Array;
};

/**
 * Hashes a PIN into a storable {@link PinHash} record.
 *
 * @example
 * const record = await hashPin("1234");
 * await verifyPin("1234", record); // true
 */
export async function hashPin(pin: string, options: HashPinOptions = {}): Promise<PinHash> {
  const iterations = options.iterations ?? DEFAULT_PIN_HASH_ITERATIONS;
  assertIterations(iterations);
  const salt = options.salt ?? globalThis.crypto.getRandomValues(new Uint8Array(SALT_BYTES));
  if (salt.length < SALT_BYTES) {
    throw new RangeError(`A PIN salt needs at least ${SALT_BYTES} bytes, got ${salt.length}.`);
  }
  const hash = await derive(pin, salt, iterations);
  return {
    algorithm: "PBKDF2-SHA256",
    iterations,
    salt: toBase64(salt),
    hash: toBase64(hash),
  };
}

/**
 * True when `pin` matches `record`. The derived bytes are compared in constant time. A malformed
 * record (unknown algorithm, iteration count out of bounds, bad base64) never matches.
 */
export async function verifyPin(pin: string, record: PinHash): Promise<boolean> {
  if (record.algorithm !== "PBKDF2-SHA256") return false;
  if (!iterationsInBounds(record.iterations)) return false;
  const salt = fromBase64(record.salt);
  const expected = fromBase64(record.hash);
  if (salt === null || expected === null || salt.length === 0) return false;
  if (expected.length < 16 || expected.length > 64) return false;
  const actual = await derive(pin, salt, record.iterations, expected.length * 8);
  return constantTimeEqual(actual, expected);
}

/** Compares two byte arrays without an early exit on the first difference. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  let diff = a.length ^ b.length;
  const length = Math.max(a.length, b.length);
  for (let i = 0; i < length; i++) {
    diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  }
  return diff === 0;
}

async function derive(
  pin: string,
  salt: Uint8Array,
  iterations: number,
  bits: number = HASH_BITS,
): Promise<Uint8Array> {
  const subtle = globalThis.crypto.subtle;
  const key = await subtle.importKey("raw", new TextEncoder().encode(pin), "PBKDF2", false, [
    "deriveBits",
  ]);
  const derived = await subtle.deriveBits(
    { name: "PBKDF2", hash: "SHA-256", salt: new Uint8Array(salt), iterations },
    key,
    bits,
  );
  return new Uint8Array(derived);
}

function iterationsInBounds(iterations: number): boolean {
  return (
    Number.isSafeInteger(iterations) &&
    iterations >= MIN_PIN_HASH_ITERATIONS &&
    iterations <= MAX_PIN_HASH_ITERATIONS
  );
}

function assertIterations(iterations: number): void {
  if (!iterationsInBounds(iterations)) {
    throw new RangeError(
      `PIN hash iterations must be an integer from ${MIN_PIN_HASH_ITERATIONS} to ${MAX_PIN_HASH_ITERATIONS}, got ${iterations}.`,
    );
  }
}

function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

function fromBase64(text: string): Uint8Array | null {
  try {
    const binary = atob(text);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes;
  } catch {
    return null;
  }
}
