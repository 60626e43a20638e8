import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { ServerError, ServerErrorCode } from "../errors.ts";

/** The HTTP status for each code; the only place status codes are chosen. */
export const SERVER_ERROR_STATUS = {
  POS_SERVER_001: 400,
  POS_DEVICE_001: 401,
  POS_DEVICE_002: 401,
  POS_DEVICE_003: 401,
  POS_DEVICE_004: 404,
  POS_DEVICE_005: 500,
  POS_BACKOFFICE_001: 401,
  POS_CATALOG_001: 422,
  POS_SERVER_002: 415,
  POS_SERVER_003: 413,
  POS_SERVER_004: 404,
  POS_SERVER_005: 503,
  POS_CATALOG_002: 404,
  POS_CATALOG_003: 404,
  POS_REPORT_001: 409,
  POS_SERVER_500: 500,
} as const satisfies Record<ServerErrorCode, ContentfulStatusCode>;

type JsonContext = { json: (body: unknown, status: ContentfulStatusCode) => Response };

/** The one place a server error becomes an HTTP response: `{ "error": { code, message, details? } }`. */
export function errorResponse(c: JsonContext, error: ServerError): Response {
  return c.json({ error: error.toJSON() }, SERVER_ERROR_STATUS[error.code]);
}
