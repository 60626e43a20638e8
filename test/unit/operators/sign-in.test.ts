import { beforeAll, describe, expect, it } from "vitest";
import type { Operator } from "../../../domain/master-data.ts";
import {
  canOverride,
  hasPermission,
  ROLE_PERMISSIONS,
} from "../../../replication/operators/permissions.ts";
import { hashPin } from "../../../replication/operators/pin-hash.ts";
import {
  lockoutStatus,
  NO_LOCKOUTS,
  parseSignInLockouts,
  type SignInLockouts,
  signIn,
} from "../../../replication/operators/sign-in.ts";
import { SIGN_IN_ERROR_CODES } from "../../../replication/operators/sign-in-error.ts";

const MINUTE = 60_000;
let cashier: Operator;
let manager: Operator;
let operators: readonly Operator[];

beforeAll(async () => {
  cashier = {
    id: "1001",
    name: "Alex Cashier",
    role: "cashier",
    permissions: ROLE_PERMISSIONS.cashier,
    maxDiscountBp: 1000,
    pinHash: await hashPin("1234", { iterations: 1_000 }),
  };
  manager = {
    id: "9001",
    name: "Morgan Manager",
    role: "manager",
    permissions: ROLE_PERMISSIONS.manager,
    maxDiscountBp: 10_000,
    pinHash: await hashPin("9876", { iterations: 1_000 }),
  };
  operators = [cashier, manager];
});

/** A clock the test moves by hand. */
function manualClock(start: number) {
  let now = start;
  return {
    now: () => now,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

describe("operator sign-in", () => {
  it("signs in with the right PIN, from a plain list or a map of operators", async () => {
    const fromList = await signIn({
      registerId: "R1",
      operatorId: "1001",
      pin: "1234",
      operators,
      lockouts: NO_LOCKOUTS,
      now: 0,
    });
    expect(fromList.ok && fromList.operator.id).toBe("1001");
    const fromMap = await signIn({
      registerId: "R1",
      operatorId: "9001",
      pin: "9876",
      operators: new Map(operators.map((o) => [o.id, o])),
      lockouts: NO_LOCKOUTS,
      now: 0,
    });
    expect(fromMap.ok && fromMap.operator.role).toBe("manager");
  });

  it("refuses an unknown operator and an empty PIN without counting a failure", async () => {
    const unknown = await signIn({
      registerId: "R1",
      operatorId: "4242",
      pin: "1234",
      operators,
      lockouts: NO_LOCKOUTS,
      now: 0,
    });
    expect(unknown.ok).toBe(false);
    if (!unknown.ok) {
      expect(unknown.error.code).toBe(SIGN_IN_ERROR_CODES.operatorNotFound);
      expect(unknown.error.message).toMatch(/not known on this register/);
    }
    expect(unknown.lockouts.entries).toEqual([]);
    const empty = await signIn({
      registerId: "R1",
      operatorId: "1001",
      pin: "",
      operators,
      lockouts: NO_LOCKOUTS,
      now: 0,
    });
    expect(!empty.ok && empty.error.code).toBe(SIGN_IN_ERROR_CODES.pinRequired);
    expect(empty.lockouts.entries).toEqual([]);
  });

  it("locks an operator on a register after 5 wrong PINs for 5 minutes, then lets them in", async () => {
    const clock = manualClock(1_700_000_000_000);
    let lockouts: SignInLockouts = NO_LOCKOUTS;
    const attempt = async (pin: string, registerId = "R1") => {
      const result = await signIn({
        registerId,
        operatorId: "1001",
        pin,
        operators,
        lockouts,
        now: clock.now(),
      });
      lockouts = result.lockouts;
      return result;
    };

    for (let i = 1; i <= 4; i++) {
      const result = await attempt("0000");
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.error.code).toBe(SIGN_IN_ERROR_CODES.wrongPin);
        expect(result.error.details.remainingAttempts).toBe(5 - i);
      }
      clock.advance(1_000);
    }
    const fifth = await attempt("0000");
    expect(!fifth.ok && fifth.error.code).toBe(SIGN_IN_ERROR_CODES.operatorLocked);
    expect(!fifth.ok && fifth.error.message).toMatch(/Try again in 5 minutes/);
    const lockedAt = clock.now();

    // Locked: even the right PIN is refused, and the message counts down.
    clock.advance(4 * MINUTE);
    const stillLocked = await attempt("1234");
    expect(!stillLocked.ok && stillLocked.error.code).toBe(SIGN_IN_ERROR_CODES.operatorLocked);
    expect(!stillLocked.ok && stillLocked.error.message).toMatch(/Try again in 1 minute,/);
    expect(!stillLocked.ok && stillLocked.error.details.lockedUntil).toBe(lockedAt + 5 * MINUTE);

    // The same operator on another register is not locked.
    const otherRegister = await attempt("1234", "R2");
    expect(otherRegister.ok).toBe(true);

    // Another operator on the same register is not locked.
    const managerResult = await signIn({
      registerId: "R1",
      operatorId: "9001",
      pin: "9876",
      operators,
      lockouts,
      now: clock.now(),
    });
    expect(managerResult.ok).toBe(true);

    clock.advance(MINUTE - 1);
    expect(lockoutStatus(lockouts, "R1", "1001", clock.now()).locked).toBe(true);
    clock.advance(1);
    expect(lockoutStatus(lockouts, "R1", "1001", clock.now())).toEqual({
      locked: false,
      remainingAttempts: 5,
    });
    const after = await attempt("1234");
    expect(after.ok).toBe(true);
    expect(lockouts.entries).toEqual([]);
  });

  it("starts counting afresh after a lock expires and after a successful sign-in", async () => {
    let lockouts: SignInLockouts = NO_LOCKOUTS;
    let now = 0;
    const attempt = async (pin: string) => {
      const result = await signIn({
        registerId: "R1",
        operatorId: "1001",
        pin,
        operators,
        lockouts,
        now,
      });
      lockouts = result.lockouts;
      return result;
    };
    for (let i = 0; i < 3; i++) await attempt("0000");
    expect(lockoutStatus(lockouts, "R1", "1001", now)).toEqual({
      locked: false,
      remainingAttempts: 2,
    });
    expect((await attempt("1234")).ok).toBe(true);
    for (let i = 0; i < 4; i++) await attempt("0000");
    const fifth = await attempt("0000");
    expect(!fifth.ok && fifth.error.code).toBe(SIGN_IN_ERROR_CODES.operatorLocked);
    now += 5 * MINUTE;
    const wrongAfterLock = await attempt("0000");
    expect(!wrongAfterLock.ok && wrongAfterLock.error.code).toBe(SIGN_IN_ERROR_CODES.wrongPin);
    expect(!wrongAfterLock.ok && wrongAfterLock.error.details.remainingAttempts).toBe(4);
  });

  it("keeps the lock across a restart through the serialised state", async () => {
    let lockouts: SignInLockouts = NO_LOCKOUTS;
    for (let i = 0; i < 5; i++) {
      lockouts = (
        await signIn({
          registerId: "R2",
          operatorId: "1001",
          pin: "1",
          operators,
          lockouts,
          now: 0,
        })
      ).lockouts;
    }
    const restored = parseSignInLockouts(JSON.parse(JSON.stringify(lockouts)));
    const result = await signIn({
      registerId: "R2",
      operatorId: "1001",
      pin: "1234",
      operators,
      lockouts: restored,
      now: MINUTE,
    });
    expect(!result.ok && result.error.code).toBe(SIGN_IN_ERROR_CODES.operatorLocked);
    expect(!result.ok && JSON.parse(JSON.stringify(result.error))).toMatchObject({
      code: SIGN_IN_ERROR_CODES.operatorLocked,
      details: { operatorId: "1001", registerId: "R2", lockedUntil: 5 * MINUTE },
    });
    expect(() => parseSignInLockouts({ version: 2, entries: [] })).toThrow();
  });
});

describe("permissions", () => {
  it("grants by the operator record and lets only another manager override", () => {
    expect(hasPermission(cashier, "sell")).toBe(true);
    expect(hasPermission(cashier, "void-sale")).toBe(false);
    expect(hasPermission(manager, "z-report")).toBe(true);
    expect(canOverride(manager, cashier)).toBe(true);
    expect(canOverride(manager, manager)).toBe(false);
    expect(canOverride(cashier, manager)).toBe(false);
    const secondManager = { ...manager, id: "9002" };
    expect(canOverride(secondManager, manager)).toBe(true);
    const managerWithoutOverride = {
      ...manager,
      id: "9003",
      permissions: manager.permissions.filter((p) => p !== "manager-override"),
    };
    expect(canOverride(managerWithoutOverride, cashier)).toBe(false);
  });
});
