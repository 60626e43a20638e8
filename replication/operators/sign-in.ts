import { z } from "zod";
import type { Operator } from "../../domain/master-data.ts";
import { verifyPin } from "./pin-hash.ts";
import { SIGN_IN_ERROR_CODES, SignInError } from "./sign-in-error.ts";

/**
 * Operator sign-in against the operator records replicated to the register, so it works the same
 * online and offline. Wrong PINs are counted per operator and per register; after
 * `maxFailures` in a row that operator is locked on that register for `lockMs`. The lockout state
 * is a plain serialisable value, returned from every attempt, so the register can persist it and
 * a restart does not lift a lock. Time comes in as `now`: no clock is read here.
 */

export type LockoutPolicy = {
  readonly maxFailures: number;
  readonly lockMs: number;
};

/** 5 wrong PINs in a row lock the operator on that register for 5 minutes. */
export const DEFAULT_LOCKOUT_POLICY: LockoutPolicy = { maxFailures: 5, lockMs: 5 * 60_000 };

const failedAttemptsSchema = z.object({
  registerId: z.string(),
  operatorId: z.string(),
  failures: z.number().int().nonnegative(),
  lockedUntil: z.number().nullable(),
});

const signInLockoutsSchema = z.object({
  version: z.literal(1),
  entries: z.array(failedAttemptsSchema).readonly(),
});

/** Consecutive wrong PINs of one operator on one register, and the lock they caused. */
export type FailedAttempts = Readonly<z.infer<typeof failedAttemptsSchema>>;

/** Everything the lockout rule remembers. JSON-serialisable; see {@link parseSignInLockouts}. */
export type SignInLockouts = {
  readonly version: 1;
  readonly entries: readonly FailedAttempts[];
};

export const NO_LOCKOUTS: SignInLockouts = Object.freeze({ version: 1, entries: [] });

/**
 * Validates lockout state read back from a register's storage; throws the zod error when the
 * stored value is not a lockout state (the caller decides whether to start from
 * {@link NO_LOCKOUTS}, which lifts every lock, or to refuse sign-in).
 */
export function parseSignInLockouts(value: unknown): SignInLockouts {
  return signInLockoutsSchema.parse(value);
}

export type SignInAttempt = {
  readonly registerId: string;
  readonly operatorId: string;
  readonly pin: string;
  /** The replicated operator records the register holds. */
  readonly operators: ReadonlyMap<string, Operator> | readonly Operator[];
  readonly lockouts: SignInLockouts;
  /** Epoch milliseconds from the injected clock. */
  readonly now: number;
  readonly policy?: LockoutPolicy;
};

export type SignInResult =
  | { readonly ok: true; readonly operator: Operator; readonly lockouts: SignInLockouts }
  | { readonly ok: false; readonly error: SignInError; readonly lockouts: SignInLockouts };

export type LockoutStatus =
  | { readonly locked: false; readonly remainingAttempts: number }
  | { readonly locked: true; readonly lockedUntil: number };

/**
 * Checks a PIN and returns the outcome with the next lockout state (always use the returned
 * state, also on refusal). Never throws for a wrong PIN, an unknown operator or a lock.
 *
 * @example
 * const result = await signIn({ registerId: "R1", operatorId: "1001", pin, operators, lockouts, now: clock.now() });
 * lockouts = result.lockouts;
 * if (!result.ok) showMessage(result.error.message);
 */
export async function signIn(attempt: SignInAttempt): Promise<SignInResult> {
  const policy = attempt.policy ?? DEFAULT_LOCKOUT_POLICY;
  const { registerId, operatorId, now } = attempt;
  const lockouts = dropExpired(attempt.lockouts, now);
  const details = { registerId, operatorId };

  const operator = findOperator(attempt.operators, operatorId);
  if (operator === undefined) {
    return {
      ok: false,
      lockouts,
      error: new SignInError(
        SIGN_IN_ERROR_CODES.operatorNotFound,
        `Operator ${operatorId} is not known on this register. Check the operator ID, or ask a manager whether the account has reached this register yet.`,
        details,
      ),
    };
  }

  const status = lockoutStatus(lockouts, registerId, operatorId, now, policy);
  if (status.locked) {
    return {
      ok: false,
      lockouts,
      error: lockedError(registerId, operatorId, status.lockedUntil, now),
    };
  }

  if (attempt.pin.length === 0) {
    return {
      ok: false,
      lockouts,
      error: new SignInError(
        SIGN_IN_ERROR_CODES.pinRequired,
        "Enter your PIN to sign in.",
        details,
      ),
    };
  }

  if (await verifyPin(attempt.pin, operator.pinHash)) {
    return { ok: true, operator, lockouts: withEntry(lockouts, registerId, operatorId, null) };
  }

  const failures = (findEntry(lockouts, registerId, operatorId)?.failures ?? 0) + 1;
  if (failures >= policy.maxFailures) {
    const lockedUntil = now + policy.lockMs;
    return {
      ok: false,
      lockouts: withEntry(lockouts, registerId, operatorId, { failures, lockedUntil }),
      error: lockedError(registerId, operatorId, lockedUntil, now),
    };
  }
  const remainingAttempts = policy.maxFailures - failures;
  return {
    ok: false,
    lockouts: withEntry(lockouts, registerId, operatorId, { failures, lockedUntil: null }),
    error: new SignInError(
      SIGN_IN_ERROR_CODES.wrongPin,
      `Wrong PIN. ${remainingAttempts} ${remainingAttempts === 1 ? "attempt" : "attempts"} left before operator ${operatorId} is locked on this register for ${minutes(policy.lockMs)}.`,
      { ...details, remainingAttempts },
    ),
  };
}

/** Whether `operatorId` may try a PIN on `registerId` at `now`, and how many tries remain. */
export function lockoutStatus(
  lockouts: SignInLockouts,
  registerId: string,
  operatorId: string,
  now: number,
  policy: LockoutPolicy = DEFAULT_LOCKOUT_POLICY,
): LockoutStatus {
  const entry = findEntry(lockouts, registerId, operatorId);
  if (entry?.lockedUntil != null && now < entry.lockedUntil) {
    return { locked: true, lockedUntil: entry.lockedUntil };
  }
  const failures = entry?.lockedUntil != null ? 0 : (entry?.failures ?? 0);
  return { locked: false, remainingAttempts: Math.max(0, policy.maxFailures - failures) };
}

function lockedError(
  registerId: string,
  operatorId: string,
  lockedUntil: number,
  now: number,
): SignInError {
  return new SignInError(
    SIGN_IN_ERROR_CODES.operatorLocked,
    `Operator ${operatorId} is locked on this register after too many wrong PINs. Try again in ${minutes(lockedUntil - now)}, or ask a manager.`,
    { registerId, operatorId, lockedUntil },
  );
}

function minutes(ms: number): string {
  const count = Math.max(1, Math.ceil(ms / 60_000));
  return `${count} ${count === 1 ? "minute" : "minutes"}`;
}

function findOperator(
  operators: ReadonlyMap<string, Operator> | readonly Operator[],
  operatorId: string,
): Operator | undefined {
  if (isOperatorList(operators)) return operators.find((operator) => operator.id === operatorId);
  return operators.get(operatorId);
}

function isOperatorList(
  operators: ReadonlyMap<string, Operator> | readonly Operator[],
): operators is readonly Operator[] {
  return Array.isArray(operators);
}

function findEntry(
  lockouts: SignInLockouts,
  registerId: string,
  operatorId: string,
): FailedAttempts | undefined {
  return lockouts.entries.find(
    (entry) => entry.registerId === registerId && entry.operatorId === operatorId,
  );
}

function withEntry(
  lockouts: SignInLockouts,
  registerId: string,
  operatorId: string,
  next: { failures: number; lockedUntil: number | null } | null,
): SignInLockouts {
  const others = lockouts.entries.filter(
    (entry) => !(entry.registerId === registerId && entry.operatorId === operatorId),
  );
  const entries = next === null ? others : [...others, { registerId, operatorId, ...next }];
  return { version: 1, entries };
}

function dropExpired(lockouts: SignInLockouts, now: number): SignInLockouts {
  if (!lockouts.entries.some((entry) => entry.lockedUntil !== null && now >= entry.lockedUntil)) {
    return lockouts;
  }
  return {
    version: 1,
    entries: lockouts.entries.filter(
      (entry) => entry.lockedUntil === null || now < entry.lockedUntil,
    ),
  };
}
