import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { Operator } from "../../../domain/master-data.ts";
import {
  NO_LOCKOUTS,
  type SignInLockouts,
  signIn,
} from "../../../replication/operators/sign-in.ts";
import { SIGN_IN_ERROR_CODES } from "../../../replication/operators/sign-in-error.ts";
import { MANAGER_ERROR_CODES, ManagerError } from "./manager-error.ts";

/**
 * Who may read the manager API: a manager signed in with operator ID and PIN (checked against
 * the store configuration's operators, with the registers' lockout policy) holds a short-lived
 * random session token kept in memory only; the back office admin token is accepted too.
 * A server restart ends every session: managers sign in again.
 */

/** How long a manager session lasts. */
export const MANAGER_SESSION_TTL_MS = 30 * 60_000;

/** Lockouts are counted per operator under this pseudo-register. */
const LOCKOUT_SCOPE = "manager-view";
/** Sessions kept at most; the oldest is dropped beyond it. */
const MAX_SESSIONS = 1_000;

export type ManagerSessionsOptions = {
  /** The store's operators as configured now. */
  readonly operators: () => readonly Operator[];
  /** The back office admin token; "" accepts none. */
  readonly adminToken: string;
  /** Epoch milliseconds. */
  readonly now: () => number;
  readonly ttlMs?: number;
};

/** Who a request is from. */
export type ManagerPrincipal =
  | { readonly kind: "manager"; readonly operatorId: string; readonly name: string }
  | { readonly kind: "admin" };

/** A session handed out at sign-in. */
export type ManagerSession = {
  readonly token: string;
  readonly expiresAt: number;
  readonly operator: { readonly id: string; readonly name: string };
};

type Stored = { readonly operatorId: string; readonly name: string; readonly expiresAt: number };

export class ManagerSessions {
  readonly #options: ManagerSessionsOptions;
  readonly #sessions = new Map<string, Stored>();
  readonly #adminHash: Buffer | null;
  #lockouts: SignInLockouts = NO_LOCKOUTS;

  constructor(options: ManagerSessionsOptions) {
    this.#options = options;
    this.#adminHash = options.adminToken === "" ? null : sha256(options.adminToken);
  }

  /**
   * Signs a manager in. Throws {@link ManagerError}: unknown operator or wrong PIN
   * (`POS_MANAGER_002`), not a manager (`POS_MANAGER_003`), locked after repeated failures
   * (`POS_MANAGER_004`).
   */
  async signIn(operatorId: string, pin: string): Promise<ManagerSession> {
    const now = this.#options.now();
    const result = await signIn({
      registerId: LOCKOUT_SCOPE,
      operatorId,
      pin,
      operators: this.#options.operators(),
      lockouts: this.#lockouts,
      now,
    });
    this.#lockouts = result.lockouts;
    if (!result.ok) {
      if (result.error.code === SIGN_IN_ERROR_CODES.operatorLocked) {
        throw new ManagerError(
          MANAGER_ERROR_CODES.locked,
          `Too many wrong PINs for operator ${operatorId}: wait until ${new Date(result.error.details.lockedUntil ?? now).toISOString()} and try again.`,
          { cause: result.error, details: { lockedUntil: result.error.details.lockedUntil } },
        );
      }
      throw new ManagerError(
        MANAGER_ERROR_CODES.signInRefused,
        "The operator ID or PIN is not right. Check both and try again.",
        { cause: result.error },
      );
    }
    if (result.operator.role !== "manager") {
      throw new ManagerError(
        MANAGER_ERROR_CODES.notAManager,
        `Operator ${operatorId} is not a manager. Ask a manager to sign in to compare replicas.`,
      );
    }
    this.#drop(now);
    const token = randomBytes(32).toString("base64url");
    const expiresAt = now + (this.#options.ttlMs ?? MANAGER_SESSION_TTL_MS);
    this.#sessions.set(sha256(token).toString("hex"), {
      operatorId: result.operator.id,
      name: result.operator.name,
      expiresAt,
    });
    return { token, expiresAt, operator: { id: result.operator.id, name: result.operator.name } };
  }

  /** The principal a bearer token stands for, or null when it is no valid token. */
  verify(token: string | null): ManagerPrincipal | null {
    if (token === null || token === "") return null;
    const hash = sha256(token);
    if (this.#adminHash !== null && timingSafeEqual(hash, this.#adminHash))
      return { kind: "admin" };
    const session = this.#sessions.get(hash.toString("hex"));
    if (session === undefined) return null;
    if (session.expiresAt <= this.#options.now()) {
      this.#sessions.delete(hash.toString("hex"));
      return null;
    }
    return { kind: "manager", operatorId: session.operatorId, name: session.name };
  }

  /** Ends a session (sign out); unknown tokens are ignored. */
  signOut(token: string): void {
    this.#sessions.delete(sha256(token).toString("hex"));
  }

  #drop(now: number): void {
    for (const [key, session] of this.#sessions) {
      if (session.expiresAt <= now) this.#sessions.delete(key);
    }
    while (this.#sessions.size >= MAX_SESSIONS) {
      const oldest = this.#sessions.keys().next().value;
      if (oldest === undefined) break;
      this.#sessions.delete(oldest);
    }
  }
}

function sha256(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}
