/**
 * Failures of the connection controller and the operations that depend on the connection mode.
 * `code` is stable for programs and tests; `message` tells the cashier or the installer what to
 * do next. UI text and HTTP status are mapped from the code at the edge, never from the message.
 */

export const CONNECTION_ERROR_CODES = [
  /** The offline profile in the store configuration is out of bounds or malformed. */
  "OFFLINE_PROFILE_INVALID",
  /** A server request got no answer within the switch timeout; the register switched offline. */
  "SERVER_REQUEST_TIMED_OUT",
  /** A server request failed before its deadline (socket closed); the register switched offline. */
  "SERVER_REQUEST_FAILED",
  /** A server request was not sent because the register is not connected. */
  "REGISTER_NOT_CONNECTED",
  /** Operation 917 Connect pressed while a sale is open: mode changes only between sales. */
  "SALE_OPEN",
  /** Operation 917 Disconnect on a register without offline support. */
  "NO_OFFLINE_SUPPORT",
  /** Operation 917 Connect pressed while already connected. */
  "ALREADY_CONNECTED",
  /** Operation 917 pressed while a connection attempt is running. */
  "CONNECTION_ATTEMPT_RUNNING",
  /** Operation 917 Connect tried the server and could not reach it. */
  "CONNECT_FAILED",
  /** An operation that needs the server's live state was asked for while not connected. */
  "ONLINE_OPERATION_UNAVAILABLE",
] as const;

/** Stable identifier of a connection failure. */
export type ConnectionErrorCode = (typeof CONNECTION_ERROR_CODES)[number];

/**
 * A connection failure with a stable code and a message that says what to do; `cause` is kept.
 *
 * @example
 * new ConnectionError("REGISTER_NOT_CONNECTED", "The register is offline. Try again after Connect.")
 */
export class ConnectionError extends Error {
  readonly code: ConnectionErrorCode;

  constructor(code: ConnectionErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ConnectionError";
    this.code = code;
  }

  /** Safe to log or send to a client: no stack, no cause internals. */
  toJSON(): { name: string; code: ConnectionErrorCode; message: string } {
    return { name: this.name, code: this.code, message: this.message };
  }
}
