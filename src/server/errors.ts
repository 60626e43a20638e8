/**
 * Errors the retail server raises. Each has a stable `code`, a message that tells the caller what
 * to do, and keeps its `cause`. Only the HTTP edge (`http/error-response.ts`) maps them to status
 * codes; nothing below it knows about HTTP.
 */

export const SERVER_ERROR_CODES = {
  invalidRequest: "POS_SERVER_001",
  deviceUnauthorised: "POS_DEVICE_001",
  activationCodeInvalid: "POS_DEVICE_002",
  activationCodeExpired: "POS_DEVICE_003",
  unknownRegister: "POS_DEVICE_004",
  deviceRegistryCorrupt: "POS_DEVICE_005",
  backOfficeUnauthorised: "POS_BACKOFFICE_001",
  catalogImportRejected: "POS_CATALOG_001",
  unsupportedMediaType: "POS_SERVER_002",
  payloadTooLarge: "POS_SERVER_003",
  notFound: "POS_SERVER_004",
  storeNotConfigured: "POS_SERVER_005",
  unknownProduct: "POS_CATALOG_002",
  unknownMasterData: "POS_CATALOG_003",
  shiftNotClosed: "POS_REPORT_001",
  internal: "POS_SERVER_500",
} as const;
export type ServerErrorCode = (typeof SERVER_ERROR_CODES)[keyof typeof SERVER_ERROR_CODES];

/** Body of every error response: `{ "error": ServerErrorJson }`. */
export type ServerErrorJson = {
  readonly code: ServerErrorCode;
  readonly message: string;
  readonly details?: unknown;
};

/** Base class of every server error. `toJSON()` is safe to send: no cause, no stack. */
export class ServerError extends Error {
  override readonly name: string = "ServerError";
  readonly code: ServerErrorCode;
  readonly details: unknown;

  constructor(
    code: ServerErrorCode,
    message: string,
    options: { readonly cause?: unknown; readonly details?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details;
  }

  toJSON(): ServerErrorJson {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}

/** A request body or parameter that does not have the expected shape. */
export class InvalidRequestError extends ServerError {
  override readonly name = "InvalidRequestError";
  constructor(message: string, options: { cause?: unknown; details?: unknown } = {}) {
    super(SERVER_ERROR_CODES.invalidRequest, message, options);
  }
}

/** A device API call without a valid device token (never activated, revoked, or garbled). */
export class DeviceUnauthorisedError extends ServerError {
  override readonly name = "DeviceUnauthorisedError";
  constructor() {
    super(
      SERVER_ERROR_CODES.deviceUnauthorised,
      "This register is not activated or its activation was revoked. Ask a manager for a new activation code in the back office.",
    );
  }
}

/** An activation code that does not match a pending code for that register, or was used. */
export class ActivationCodeInvalidError extends ServerError {
  override readonly name = "ActivationCodeInvalidError";
  constructor(registerId: string) {
    super(
      SERVER_ERROR_CODES.activationCodeInvalid,
      `The activation code is not valid for register ${registerId}. Check the code, or ask a manager for a new one in the back office.`,
      { details: { registerId } },
    );
  }
}

/** An activation code used after its validity ended. */
export class ActivationCodeExpiredError extends ServerError {
  override readonly name = "ActivationCodeExpiredError";
  constructor(registerId: string, expiredAt: number) {
    super(
      SERVER_ERROR_CODES.activationCodeExpired,
      `The activation code for register ${registerId} has expired. Ask a manager for a new one in the back office.`,
      { details: { registerId, expiredAt } },
    );
  }
}

/** A register id that the store configuration does not list. */
export class UnknownRegisterError extends ServerError {
  override readonly name = "UnknownRegisterError";
  constructor(registerId: string) {
    super(
      SERVER_ERROR_CODES.unknownRegister,
      `Register ${registerId} is not set up for this store. Add it in the store configuration first.`,
      { details: { registerId } },
    );
  }
}

/** The device registry file could not be read or does not have the expected shape. */
export class DeviceRegistryCorruptError extends ServerError {
  override readonly name = "DeviceRegistryCorruptError";
  constructor(path: string, cause: unknown) {
    super(
      SERVER_ERROR_CODES.deviceRegistryCorrupt,
      `The device registry ${path} is unreadable. Restore it from a backup, or move it away and activate the registers again.`,
      { cause },
    );
  }
}

/** A back office call without the configured admin token. */
export class BackOfficeUnauthorisedError extends ServerError {
  override readonly name = "BackOfficeUnauthorisedError";
  constructor() {
    super(
      SERVER_ERROR_CODES.backOfficeUnauthorised,
      "Back office access needs the admin token: send it as 'Authorization: Bearer <POS_ADMIN_TOKEN>'.",
    );
  }
}

/** One problem in an imported catalog file. `line` is 1-based in the file as uploaded. */
export type ImportIssue = {
  readonly line: number;
  /** The column or property at fault; null when the whole row or file is at fault. */
  readonly field: string | null;
  readonly reason: string;
};

/** A catalog import with at least one problem; nothing of it was applied. */
export class CatalogImportRejectedError extends ServerError {
  override readonly name = "CatalogImportRejectedError";
  readonly issues: readonly ImportIssue[];
  constructor(issues: readonly ImportIssue[]) {
    super(
      SERVER_ERROR_CODES.catalogImportRejected,
      `The catalog file has ${issues.length} ${issues.length === 1 ? "problem" : "problems"}; nothing was imported. Fix the listed lines and import the whole file again.`,
      { details: { issues } },
    );
    this.issues = issues;
  }
}

/** A body in a format the endpoint does not read. */
export class UnsupportedMediaTypeError extends ServerError {
  override readonly name = "UnsupportedMediaTypeError";
  constructor(accepted: readonly string[], received: string | null) {
    super(
      SERVER_ERROR_CODES.unsupportedMediaType,
      `Send the body as ${accepted.join(" or ")} (received ${received ?? "no Content-Type"}).`,
      { details: { accepted, received } },
    );
  }
}

/** A body over the configured size limit. */
export class PayloadTooLargeError extends ServerError {
  override readonly name = "PayloadTooLargeError";
  constructor(limitBytes: number) {
    super(
      SERVER_ERROR_CODES.payloadTooLarge,
      `The request body is larger than the limit of ${limitBytes} bytes. Split it or raise the server's limit.`,
      { details: { limitBytes } },
    );
  }
}

/** A route that does not exist. */
export class RouteNotFoundError extends ServerError {
  override readonly name = "RouteNotFoundError";
  constructor(method: string, path: string) {
    super(SERVER_ERROR_CODES.notFound, `There is no ${method} ${path} on this server.`);
  }
}

/** Anything unexpected, as shown to the client; the real error goes to the log only. */
export class InternalServerError extends ServerError {
  override readonly name = "InternalServerError";
  constructor(cause: unknown) {
    super(
      SERVER_ERROR_CODES.internal,
      "The server hit an unexpected error. Try again; if it persists, check the server log.",
      { cause },
    );
  }
}

/** The store configuration document is missing or does not validate. */
export class StoreNotConfiguredError extends ServerError {
  override readonly name = "StoreNotConfiguredError";
  constructor(storeId: string, problem: string | null) {
    super(
      SERVER_ERROR_CODES.storeNotConfigured,
      `The configuration of store ${storeId} is missing or invalid${problem === null ? "" : ` (${problem})`}. Restore the data directory from a backup, or start the server with an empty one.`,
      { details: { storeId } },
    );
  }
}

/** A product id the master data does not hold. */
export class UnknownProductError extends ServerError {
  override readonly name = "UnknownProductError";
  constructor(productId: string) {
    super(
      SERVER_ERROR_CODES.unknownProduct,
      `Product ${productId} is not in the catalog. Import it first, or check the id.`,
      { details: { productId } },
    );
  }
}

/** A customer or discount the master data does not hold. */
export class UnknownMasterDataError extends ServerError {
  override readonly name = "UnknownMasterDataError";
  constructor(entity: string, id: string) {
    super(
      SERVER_ERROR_CODES.unknownMasterData,
      `There is no ${entity} ${id} in the master data. Check the id.`,
      { details: { entity, id } },
    );
  }
}

/** A Z report asked for a shift that is not closed (or not known yet). */
export class ShiftNotClosedError extends ServerError {
  override readonly name = "ShiftNotClosedError";
  constructor(registerId: string, shiftId: string, cause?: unknown) {
    super(
      SERVER_ERROR_CODES.shiftNotClosed,
      `The Z report of shift ${shiftId} on register ${registerId} is only available once the shift is closed and its events have reached the server. Close the shift on the register, or print an X report instead.`,
      { cause, details: { registerId, shiftId } },
    );
  }
}
