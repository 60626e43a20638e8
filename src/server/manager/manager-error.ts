/** Stable codes of the manager API's refusals. */
export const MANAGER_ERROR_CODES = {
  unauthorised: "POS_MANAGER_001",
  signInRefused: "POS_MANAGER_002",
  notAManager: "POS_MANAGER_003",
  locked: "POS_MANAGER_004",
} as const;
export type ManagerErrorCode = (typeof MANAGER_ERROR_CODES)[keyof typeof MANAGER_ERROR_CODES];

/** HTTP status of each code, applied only at the edge (routes.ts). */
export const MANAGER_ERROR_STATUS = {
  POS_MANAGER_001: 401,
  POS_MANAGER_002: 401,
  POS_MANAGER_003: 403,
  POS_MANAGER_004: 429,
} as const satisfies Record<ManagerErrorCode, number>;

/** A refused manager request; the message tells the manager what to do. */
export class ManagerError extends Error {
  override readonly name = "ManagerError";
  readonly code: ManagerErrorCode;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(
    code: ManagerErrorCode,
    message: string,
    options: { readonly cause?: unknown; readonly details?: Record<string, unknown> } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details;
  }

  /** Safe to send: no cause, no stack. */
  toJSON(): { code: ManagerErrorCode; message: string; details?: Record<string, unknown> } {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: { ...this.details } };
  }
}
