import { Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { Logger } from "pino";
import { z } from "zod";
import { InternalServerError, InvalidRequestError, ServerError } from "../errors.ts";
import { errorResponse } from "../http/error-response.ts";
import { MANAGER_ERROR_CODES, MANAGER_ERROR_STATUS, ManagerError } from "./manager-error.ts";
import type { ManagerPrincipal, ManagerSessions } from "./manager-sessions.ts";
import type { ReplicaInspector } from "./replica-inspector.ts";

/**
 * The manager API, mounted at `/api/manager`:
 *
 * - `POST /sign-in` `{ operatorId, pin }` -> `{ token, expiresAt, operator }` (managers only)
 * - `POST /sign-out` -> `{ signedOut: true }`
 * - `GET  /registers` -> `{ registers: [RegisterRow] }`
 * - `GET  /compare/:registerId` -> `RegisterComparison`
 * - `GET  /compare/:registerId/missing?day=YYYY-MM-DD` -> `MissingEvents`
 * - `GET  /end-of-day` -> `{ clean, blockers: [{ registerId, reasons }] }`
 *
 * Every route but sign-in takes `Authorization: Bearer <session token or admin token>`;
 * anything else is `401`. Errors are `{ "error": { code, message, details? } }`.
 */

export type ManagerRoutesOptions = {
  readonly sessions: ManagerSessions;
  readonly inspector: ReplicaInspector;
  readonly logger: Logger;
};

type ManagerEnv = { Variables: { principal: ManagerPrincipal } };

/** The manager API as built by {@link createManagerRoutes}. */
export type ManagerRoutes = Hono<ManagerEnv>;

const signInSchema = z.strictObject({
  operatorId: z.string().trim().min(1).max(64),
  pin: z.string().min(1).max(64),
});
const registerIdSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9._-]+$/);
const daySchema = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const MAX_SIGN_IN_BYTES = 4_096;

/** Builds the manager API as a hono app, to mount with `app.route("/api/manager", ...)`. */
export function createManagerRoutes(options: ManagerRoutesOptions): ManagerRoutes {
  const { sessions, inspector, logger } = options;
  const app = new Hono<ManagerEnv>();

  app.onError((error, c) => {
    if (error instanceof ManagerError) {
      return c.json(
        { error: error.toJSON() },
        MANAGER_ERROR_STATUS[error.code] as ContentfulStatusCode,
      );
    }
    if (error instanceof ServerError) return errorResponse(c, error);
    logger.error({ err: error, path: c.req.path }, "unexpected error in the manager API");
    return errorResponse(c, new InternalServerError(error));
  });

  app.post("/sign-in", async (c) => {
    const text = await c.req.text();
    let body: unknown = null;
    try {
      body = text.length > MAX_SIGN_IN_BYTES ? null : JSON.parse(text);
    } catch {
      body = null;
    }
    const parsed = signInSchema.safeParse(body);
    if (!parsed.success) {
      throw new ManagerError(
        MANAGER_ERROR_CODES.signInRefused,
        "Send { operatorId, pin } as JSON to sign in.",
      );
    }
    const session = await sessions.signIn(parsed.data.operatorId, parsed.data.pin);
    logger.info({ operatorId: session.operator.id }, "manager signed in");
    return c.json(session);
  });

  app.use("*", async (c, next) => {
    const principal = sessions.verify(bearerToken(c.req.header("authorization")));
    if (principal === null) {
      throw new ManagerError(
        MANAGER_ERROR_CODES.unauthorised,
        "Sign in as a manager (operator ID and PIN) or send the admin token as 'Authorization: Bearer <token>'.",
      );
    }
    c.set("principal", principal);
    await next();
  });

  app.post("/sign-out", (c) => {
    const token = bearerToken(c.req.header("authorization"));
    if (token !== null) sessions.signOut(token);
    return c.json({ signedOut: true });
  });

  app.get("/registers", async (c) => c.json({ registers: await inspector.registers() }));

  app.get("/compare/:registerId", async (c) => {
    const registerId = parse(registerIdSchema, c.req.param("registerId"), "a register id");
    return c.json(await inspector.compare(registerId));
  });

  app.get("/compare/:registerId/missing", async (c) => {
    const registerId = parse(registerIdSchema, c.req.param("registerId"), "a register id");
    const day = parse(daySchema, c.req.query("day") ?? "", "a business day (?day=YYYY-MM-DD)");
    return c.json(await inspector.missing(registerId, day));
  });

  app.get("/end-of-day", async (c) => c.json(await inspector.endOfDay()));

  return app;
}

function parse<T>(schema: z.ZodType<T>, value: string, what: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new InvalidRequestError(`"${value.slice(0, 64)}" is not ${what}.`, {
      cause: parsed.error,
    });
  }
  return parsed.data;
}

function bearerToken(header: string | undefined): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  return match?.[1] ?? null;
}
