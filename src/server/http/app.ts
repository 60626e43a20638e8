import { createHash, timingSafeEqual } from "node:crypto";
import { serveStatic } from "@hono/node-server/serve-static";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { createMiddleware } from "hono/factory";
import { HTTPException } from "hono/http-exception";
import type { Logger } from "pino";
import { z } from "zod";
import type {
  ChannelProjection,
  JournalEntry,
  ShiftReport,
} from "../../../domain/channel-projection.ts";
import {
  DISCOUNT_KINDS,
  OPERATOR_ROLES,
  type Operator,
  PERMISSIONS,
  type Product,
} from "../../../domain/master-data.ts";
import { offlineProfileTimingsSchema } from "../../../replication/connection/offline-profile.ts";
import { ROLE_PERMISSIONS } from "../../../replication/operators/permissions.ts";
import { hashPin } from "../../../replication/operators/pin-hash.ts";
import type { BackOffice, DistributionOutcome, ProductPatch } from "../back-office.ts";
import { type CatalogFormat, type CatalogReferences, importCatalog } from "../catalog-import.ts";
import type { ServerConfig } from "../config.ts";
import type { ActivatedDevice, DeviceRegistry } from "../device-registry.ts";
import {
  BackOfficeUnauthorisedError,
  CatalogImportRejectedError,
  DeviceUnauthorisedError,
  InternalServerError,
  InvalidRequestError,
  PayloadTooLargeError,
  RouteNotFoundError,
  ServerError,
  ShiftNotClosedError,
  UnknownRegisterError,
  UnsupportedMediaTypeError,
} from "../errors.ts";
import type { ManagerRoutes } from "../manager/routes.ts";
import { errorResponse, SERVER_ERROR_STATUS } from "./error-response.ts";

/**
 * The retail server's HTTP API as a hono app, built from its dependencies so tests run it
 * in-process with `app.request()` and the composition root serves it with `@hono/node-server`.
 *
 * Routes:
 * - `GET  /api/health` -> `{ "status": "ok" }`
 * - `POST /api/devices/activate` `{ registerId, code }` -> `{ registerId, storeId, token }`
 * - `GET  /api/device/whoami` (device token) -> `{ registerId, activatedAt }`
 * - `POST /api/back-office/devices/:registerId/codes` -> `201 { registerId, code, expiresAt }`
 * - `POST /api/back-office/devices/:registerId/revoke` -> `{ registerId, revoked }`
 * - `GET  /api/back-office/devices` -> `{ devices: [{ registerId, activatedAt }] }`
 * - `POST /api/back-office/catalog/import` (body `text/csv` or `application/json`) ->
 *   `{ imported }`, or `422` with `error.details.issues: [{ line, field, reason }]`
 * - `POST /api/back-office/distribute` -> `{ seq | null, kind, rows }` (a run with no changes
 *   makes no package)
 * - `PATCH /api/back-office/products/:id` `{ name?, price?, active? }` -> `{ product }`
 * - `PATCH /api/back-office/registers/:id` `{ offlineSupport }` -> `{ register, offlineReplica }`
 * - `GET  /api/journal` (device or admin token) -> `{ sales: [JournalEntry] }`
 * - `GET  /api/reports/x?registerId=&shiftId=` -> `{ report }` (no shiftId: sales outside shifts)
 * - `GET  /api/reports/z?registerId=&shiftId=` -> `{ report }`, `409` while the shift is open
 * - `GET  /api/stock` -> `{ stock: { productId: units } }`
 * - anything else: the built apps from `staticRoot` (register at `/`, manager at `/manager/`)
 *
 * Authentication: device routes (`/api/device/*`) take `Authorization: Bearer <device token>`
 * from activation. Back office routes take `Authorization: Bearer <POS_ADMIN_TOKEN>`: a single
 * shared secret from the configuration, standing in until managers sign in with their own
 * operator accounts. Every error is `{ "error": { code, message, details? } }`.
 */

/** Where imported products go: the master data staging area of the next distribution run. */
export type CatalogStaging = {
  /** Current master data to check references against. */
  references(): CatalogReferences;
  /** Takes a validated, complete import; called only when the whole file is valid. */
  stage(products: readonly Product[]): void | Promise<void>;
};

/** The channel database's views, built from every register's sales logs. */
export type ChannelViews = Pick<ChannelProjection, "journal" | "xReport" | "zReport" | "stock">;

/** Headquarters' operations the back office routes call. */
export type BackOfficeOperations = {
  distribute(): Promise<DistributionOutcome>;
  upsertMasterData: BackOffice["upsertMasterData"];
  removeMasterData: BackOffice["removeMasterData"];
  upsertOperator: BackOffice["upsertOperator"];
  upsertOfflineProfile: BackOffice["upsertOfflineProfile"];
  updateProduct(productId: string, patch: ProductPatch): Promise<Product>;
  setOfflineSupport(
    registerId: string,
    enabled: boolean,
  ): Promise<{
    readonly channelDataGroup: {
      readonly offlineReplicas: readonly { registerId: string; createdAt: number }[];
    };
  }>;
};

export type AppDependencies = {
  readonly config: ServerConfig;
  /** The store this server runs, told to registers at activation. */
  readonly storeId: string;
  readonly channel: ChannelViews;
  readonly backOffice: BackOfficeOperations;
  /** Directory of the built apps; null serves none. */
  readonly staticRoot: string | null;
  readonly logger: Logger;
  readonly devices: DeviceRegistry;
  /** Whether the store configuration lists this register. */
  readonly isKnownRegister: (registerId: string) => boolean;
  readonly catalog: CatalogStaging;
  /** The manager API, served at `/api/manager/*` (see manager/routes.ts); absent: none. */
  readonly manager?: ManagerRoutes;
};

/** Values the middlewares put on the request context. */
export type AppEnv = {
  Variables: {
    device: ActivatedDevice;
  };
};

const activationRequestSchema = z.strictObject({
  registerId: z.string().trim().min(1).max(64),
  code: z.string().trim().min(1).max(32),
});

const productPatchSchema = z
  .strictObject({
    name: z.string().trim().min(1).max(200).optional(),
    price: z.int().min(0).max(100_000_000).optional(),
    active: z.boolean().optional(),
  })
  .refine((patch) => Object.keys(patch).length > 0, "Send at least one of name, price, active.");

const registerPatchSchema = z.strictObject({ offlineSupport: z.boolean() });

const text = (max: number) => z.string().trim().min(1).max(max);

const customerBodySchema = z.strictObject({
  name: text(200),
  email: z.email().max(200).optional(),
  phone: z
    .string()
    .trim()
    .regex(/^[+0-9 ()-]{3,32}$/)
    .optional(),
});

const discountBodySchema = z
  .strictObject({
    name: text(200),
    kind: z.enum(DISCOUNT_KINDS),
    value: z.int().positive().max(100_000_000),
    scope: z.enum(["line", "sale"]),
    active: z.boolean().default(true),
  })
  .refine((d) => d.kind !== "percent" || d.value <= 10_000, {
    message: "A percent discount is given in basis points: at most 10000 (100 %).",
    path: ["value"],
  });

const operatorBodySchema = z.strictObject({
  name: text(200),
  role: z.enum(OPERATOR_ROLES),
  pin: z.string().regex(/^\d{4,12}$/, "A PIN is 4 to 12 digits."),
  permissions: z.array(z.enum(PERMISSIONS)).max(PERMISSIONS.length).optional(),
  maxDiscountBp: z.int().min(0).max(10_000).optional(),
});

const offlineProfileBodySchema = z
  .strictObject({ name: text(200) })
  .extend(offlineProfileTimingsSchema.shape);

const masterDataIdSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9._-]+$/);

const reportQuerySchema = z.strictObject({
  registerId: z.string().min(1).max(64),
  shiftId: z.string().min(1).max(64).optional(),
});

const productIdSchema = z.string().min(1).max(64);

const registerIdSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9._-]+$/);

const CATALOG_MEDIA_TYPES: Readonly<Record<string, CatalogFormat>> = {
  "text/csv": "csv",
  "application/json": "json",
};

/**
 * Builds the HTTP app.
 *
 * @example
 * const app = createApp({ config, logger, devices, isKnownRegister, catalog });
 * const response = await app.request("/api/health"); // 200 {"status":"ok"}
 */
export function createApp(deps: AppDependencies): Hono<AppEnv> {
  const { config, logger, devices } = deps;
  const app = new Hono<AppEnv>();

  const jsonBodyLimit = bodyLimit({
    maxSize: config.maxHttpBodyBytes,
    onError: (c) => errorResponse(c, new PayloadTooLargeError(config.maxHttpBodyBytes)),
  });
  const importBodyLimit = bodyLimit({
    maxSize: config.maxImportBytes,
    onError: (c) => errorResponse(c, new PayloadTooLargeError(config.maxImportBytes)),
  });

  const requireDevice = createMiddleware<AppEnv>(async (c, next) => {
    const device = devices.verify(bearerToken(c.req.header("authorization")) ?? "");
    if (device === null) {
      logger.warn({ path: c.req.path }, "device request without a valid token");
      throw new DeviceUnauthorisedError();
    }
    c.set("device", device);
    await next();
  });

  const adminTokenHash = config.adminToken === "" ? null : sha256(config.adminToken);
  const isAdminToken = (token: string | null): boolean =>
    adminTokenHash !== null && token !== null && sameHash(sha256(token), adminTokenHash);
  const requireBackOffice = createMiddleware<AppEnv>(async (c, next) => {
    if (!isAdminToken(bearerToken(c.req.header("authorization")))) {
      logger.warn({ path: c.req.path }, "back office request without the admin token");
      throw new BackOfficeUnauthorisedError();
    }
    await next();
  });
  const requireDeviceOrBackOffice = createMiddleware<AppEnv>(async (c, next) => {
    const token = bearerToken(c.req.header("authorization"));
    if (!isAdminToken(token) && devices.verify(token ?? "") === null) {
      logger.warn({ path: c.req.path }, "channel request without a device or admin token");
      throw new DeviceUnauthorisedError();
    }
    await next();
  });

  app.onError((error, c) => {
    if (error instanceof ServerError) {
      if (SERVER_ERROR_STATUS[error.code] >= 500) logger.error({ err: error }, error.message);
      return errorResponse(c, error);
    }
    if (error instanceof HTTPException && error.status < 500) {
      return errorResponse(
        c,
        new InvalidRequestError(error.message || "Bad request.", { cause: error }),
      );
    }
    logger.error({ err: error, path: c.req.path }, "unexpected error in HTTP handler");
    return errorResponse(c, new InternalServerError(error));
  });
  app.notFound((c) => errorResponse(c, new RouteNotFoundError(c.req.method, c.req.path)));

  app.get("/api/health", (c) => c.json({ status: "ok" }));
  if (deps.manager !== undefined) app.route("/api/manager", deps.manager);

  app.post("/api/devices/activate", jsonBodyLimit, async (c) => {
    const body = activationRequestSchema.safeParse(await readJson(c.req.raw));
    if (!body.success) {
      throw new InvalidRequestError(
        "Send { registerId, code } as JSON, with the code from the back office.",
        {
          cause: body.error,
          details: { issues: zodIssues(body.error) },
        },
      );
    }
    const { token, device } = await devices.activate(body.data.registerId, body.data.code);
    logger.info({ registerId: device.registerId }, "register activated");
    return c.json({ registerId: device.registerId, storeId: deps.storeId, token });
  });

  app.use("/api/device/*", requireDevice);
  app.get("/api/device/whoami", (c) => c.json(c.get("device")));

  for (const path of ["/api/journal", "/api/reports/*", "/api/stock"]) {
    app.use(path, requireDeviceOrBackOffice);
  }
  app.get("/api/journal", (c) =>
    c.json({ sales: deps.channel.journal() satisfies JournalEntry[] }),
  );
  app.get("/api/stock", (c) => c.json({ stock: deps.channel.stock() }));
  app.get("/api/reports/x", (c) => {
    const query = parseReportQuery(c.req.query());
    const report: ShiftReport = deps.channel.xReport(query.registerId, query.shiftId ?? null);
    return c.json({ report });
  });
  app.get("/api/reports/z", (c) => {
    const query = parseReportQuery(c.req.query());
    if (query.shiftId === undefined) {
      throw new InvalidRequestError("A Z report needs the shiftId of a closed shift.");
    }
    const result = deps.channel.zReport(query.registerId, query.shiftId);
    if (!result.ok) throw new ShiftNotClosedError(query.registerId, query.shiftId, result.error);
    return c.json({ report: result.report });
  });

  app.use("/api/back-office/*", requireBackOffice);

  app.post("/api/back-office/distribute", async (c) => {
    const outcome = await deps.backOffice.distribute();
    return c.json(outcome);
  });

  app.patch("/api/back-office/products/:id", jsonBodyLimit, async (c) => {
    const productId = productIdSchema.safeParse(c.req.param("id"));
    const patch = productPatchSchema.safeParse(await readJson(c.req.raw));
    if (!productId.success || !patch.success) {
      throw new InvalidRequestError(
        "Send { name?, price?, active? } as JSON: price in minor units, active true or false.",
        patch.success ? {} : { cause: patch.error, details: { issues: zodIssues(patch.error) } },
      );
    }
    const { name, price, active } = patch.data;
    const product = await deps.backOffice.updateProduct(productId.data, {
      ...(name === undefined ? {} : { name }),
      ...(price === undefined ? {} : { price }),
      ...(active === undefined ? {} : { active }),
    });
    logger.info({ productId: product.id }, "product change staged");
    return c.json({ product });
  });

  /** Validates a master data id from the path and a JSON body, or answers 400 naming the field. */
  async function parseEdit<T>(
    idText: string | undefined,
    request: Request,
    schema: z.ZodType<T>,
    help: string,
  ): Promise<{ id: string; body: T }> {
    const id = masterDataIdSchema.safeParse(idText);
    const body = schema.safeParse(await readJson(request));
    if (!id.success || !body.success) {
      const error = body.success ? id.error : body.error;
      throw new InvalidRequestError(
        id.success ? help : "Ids are 1 to 64 letters, digits, dots, dashes or underscores.",
        error ? { cause: error, details: { issues: zodIssues(error) } } : {},
      );
    }
    return { id: id.data, body: body.data };
  }

  app.put("/api/back-office/customers/:id", jsonBodyLimit, async (c) => {
    const { id, body } = await parseEdit(
      c.req.param("id"),
      c.req.raw,
      customerBodySchema,
      "Send { name, email?, phone? } as JSON.",
    );
    const customer = {
      id,
      name: body.name,
      ...(body.email === undefined ? {} : { email: body.email }),
      ...(body.phone === undefined ? {} : { phone: body.phone }),
    };
    await deps.backOffice.upsertMasterData({ entity: "customer", value: customer });
    return c.json({ customer });
  });

  app.put("/api/back-office/discounts/:id", jsonBodyLimit, async (c) => {
    const { id, body } = await parseEdit(
      c.req.param("id"),
      c.req.raw,
      discountBodySchema,
      "Send { name, kind: percent | amount, value, scope: line | sale, active? } as JSON: value in basis points for percent, minor units for amount.",
    );
    const discount = { id, ...body };
    await deps.backOffice.upsertMasterData({ entity: "discount", value: discount });
    return c.json({ discount });
  });

  for (const entity of ["customer", "discount"] as const) {
    app.delete(`/api/back-office/${entity}s/:id`, async (c) => {
      const id = masterDataIdSchema.safeParse(c.req.param("id"));
      if (!id.success) {
        throw new InvalidRequestError(
          "Ids are 1 to 64 letters, digits, dots, dashes or underscores.",
        );
      }
      await deps.backOffice.removeMasterData(entity, id.data);
      return c.json({ removed: { entity, id: id.data } });
    });
  }

  app.put("/api/back-office/operators/:id", jsonBodyLimit, async (c) => {
    const { id, body } = await parseEdit(
      c.req.param("id"),
      c.req.raw,
      operatorBodySchema,
      "Send { name, role: cashier | manager, pin (4-12 digits), permissions?, maxDiscountBp? } as JSON.",
    );
    const operator: Operator = {
      id,
      name: body.name,
      role: body.role,
      permissions: body.permissions ?? ROLE_PERMISSIONS[body.role],
      maxDiscountBp: body.maxDiscountBp ?? (body.role === "manager" ? 10_000 : 1_000),
      pinHash: await hashPin(body.pin),
    };
    await deps.backOffice.upsertOperator(operator);
    const { pinHash: _hidden, ...shown } = operator;
    return c.json({ operator: shown });
  });

  app.put("/api/back-office/offline-profiles/:id", jsonBodyLimit, async (c) => {
    const { id, body } = await parseEdit(
      c.req.param("id"),
      c.req.raw,
      offlineProfileBodySchema,
      "Send { name, switchTimeoutMs, reconnectIntervalMs } as JSON.",
    );
    const profile = { id, ...body };
    await deps.backOffice.upsertOfflineProfile(profile);
    return c.json({ offlineProfile: profile });
  });

  app.patch("/api/back-office/registers/:id", jsonBodyLimit, async (c) => {
    const registerId = parseRegisterId(c.req.param("id"));
    const patch = registerPatchSchema.safeParse(await readJson(c.req.raw));
    if (!patch.success) {
      throw new InvalidRequestError("Send { offlineSupport: true | false } as JSON.", {
        cause: patch.error,
        details: { issues: zodIssues(patch.error) },
      });
    }
    if (!deps.isKnownRegister(registerId)) throw new UnknownRegisterError(registerId);
    const configuration = await deps.backOffice.setOfflineSupport(
      registerId,
      patch.data.offlineSupport,
    );
    const offlineReplica =
      configuration.channelDataGroup.offlineReplicas.find((r) => r.registerId === registerId) ??
      null;
    return c.json({
      register: { id: registerId, offlineSupport: patch.data.offlineSupport },
      offlineReplica,
    });
  });

  app.get("/api/back-office/devices", (c) => c.json({ devices: devices.devices() }));

  app.post("/api/back-office/devices/:registerId/codes", async (c) => {
    const registerId = parseRegisterId(c.req.param("registerId"));
    if (!deps.isKnownRegister(registerId)) throw new UnknownRegisterError(registerId);
    const issued = await devices.issueActivationCode(registerId);
    logger.info({ registerId, expiresAt: issued.expiresAt }, "activation code issued");
    return c.json(issued, 201);
  });

  app.post("/api/back-office/devices/:registerId/revoke", async (c) => {
    const registerId = parseRegisterId(c.req.param("registerId"));
    const revoked = await devices.revoke(registerId);
    logger.info({ registerId, revoked }, "register activation revoked");
    return c.json({ registerId, revoked });
  });

  app.post("/api/back-office/catalog/import", importBodyLimit, async (c) => {
    const mediaType =
      (c.req.header("content-type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
    const format = CATALOG_MEDIA_TYPES[mediaType];
    if (format === undefined) {
      throw new UnsupportedMediaTypeError(Object.keys(CATALOG_MEDIA_TYPES), mediaType || null);
    }
    const result = importCatalog({
      format,
      text: await c.req.text(),
      references: deps.catalog.references(),
      limits: { maxStringLength: config.maxStringLength, maxRows: config.maxImportRows },
    });
    if (!result.ok) {
      logger.info({ format, issues: result.issues.length }, "catalog import rejected");
      throw new CatalogImportRejectedError(result.issues);
    }
    await deps.catalog.stage(result.products);
    logger.info({ format, products: result.products.length }, "catalog import staged");
    return c.json({ imported: result.products.length });
  });

  if (deps.staticRoot !== null) {
    const root = deps.staticRoot;
    app.get("/manager", (c) => c.redirect("/manager/", 301));
    // The service worker and the pages must be revalidated, or a new build never reaches
    // registers; hashed assets may be cached.
    app.use("*", async (c, next) => {
      if (/(^|\/)sw\.js$|\.html$|\/$/.test(c.req.path)) c.header("Cache-Control", "no-cache");
      await next();
    });
    app.use("*", serveStatic({ root }));
  }

  return app;
}

async function readJson(request: Request): Promise<unknown> {
  const mediaType = request.headers.get("content-type")?.split(";")[0]?.trim().toLowerCase();
  if (mediaType !== "application/json") {
    throw new UnsupportedMediaTypeError(["application/json"], mediaType ?? null);
  }
  const text = await request.text();
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InvalidRequestError("The request body is not valid JSON.", { cause: error });
  }
}

function parseReportQuery(query: Record<string, string>): {
  registerId: string;
  shiftId?: string;
} {
  const parsed = reportQuerySchema.safeParse(query);
  if (!parsed.success) {
    throw new InvalidRequestError("Send ?registerId=<register>&shiftId=<shift> in the query.", {
      cause: parsed.error,
      details: { issues: zodIssues(parsed.error) },
    });
  }
  const { registerId, shiftId } = parsed.data;
  return shiftId === undefined ? { registerId } : { registerId, shiftId };
}

function parseRegisterId(value: string): string {
  const parsed = registerIdSchema.safeParse(value);
  if (!parsed.success) {
    throw new InvalidRequestError(`"${value.slice(0, 64)}" is not a register id.`, {
      cause: parsed.error,
    });
  }
  return parsed.data;
}

function zodIssues(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join("."),
    message: issue.message,
  }));
}

function bearerToken(header: string | undefined): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  return match?.[1] ?? null;
}

function sha256(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}

function sameHash(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
