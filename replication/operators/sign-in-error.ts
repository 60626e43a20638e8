/** Stable codes of sign-in refusals; the register maps them to screens, the server to HTTP. */
export const SIGN_IN_ERROR_CODES = {
  operatorNotFound: "POS_SIGNIN_001",
  wrongPin: "POS_SIGNIN_002",
  operatorLocked: "POS_SIGNIN_003",
  pinRequired: "POS_SIGNIN_004",
} as const;
export type SignInErrorCode = (typeof SIGN_IN_ERROR_CODES)[keyof typeof SIGN_IN_ERROR_CODES];

export type SignInErrorDetails = {
  readonly operatorId: string;
  readonly registerId: string;
  /** Wrong PIN: attempts left before the lock. */
  readonly remainingAttempts?: number;
  /** Locked: epoch milliseconds when the operator may try again on this register. */
  readonly lockedUntil?: number;
};

/**
 * A refused sign-in. The message is written for the cashier at the register and says what to
 * do next; `code` is stable for programs.
 */
export class SignInError extends Error {
  override readonly name = "SignInError";
  readonly code: SignInErrorCode;
  readonly details: SignInErrorDetails;

  constructor(
    code: SignInErrorCode,
    message: string,
    details: SignInErrorDetails,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.code = code;
    this.details = details;
  }

  /** Safe to send to a client or write to a log: no PIN, no hash. */
  toJSON(): { code: SignInErrorCode; message: string; details: SignInErrorDetails } {
    return { code: this.code, message: this.message, details: this.details };
  }
}
