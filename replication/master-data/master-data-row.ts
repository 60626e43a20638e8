import { z } from "zod";
import {
  type Customer,
  DISCOUNT_KINDS,
  type Discount,
  type OfflineProfile,
  OPERATOR_ROLES,
  type Operator,
  PERMISSIONS,
  type Product,
  type Register,
  type Store,
  type TaxGroup,
  TENDER_KINDS,
  type TenderType,
} from "../../domain/master-data.ts";

/**
 * Row schemas for the master data headquarters distributes in data packages. Rows come from
 * packages that crossed the network, so every row is validated before it reaches an index.
 */

const id = z.string().min(1);
const minorUnits = z.number().int().refine(Number.isSafeInteger, "must be a safe integer");
const nonNegativeInt = z.number().int().nonnegative();

export const storeSchema = z.object({
  id,
  name: z.string(),
  currency: z.string().regex(/^[A-Z]{3}$/, "must be an ISO 4217 code such as EUR"),
  pricesIncludeTax: z.boolean(),
});

export const taxGroupSchema = z.object({
  id,
  name: z.string(),
  rateBp: nonNegativeInt.max(100_000),
});

export const productSchema = z.object({
  id,
  name: z.string(),
  barcodes: z.array(z.string().min(1)).readonly(),
  price: minorUnits,
  taxGroupId: id,
  active: z.boolean(),
});

export const discountSchema = z.object({
  id,
  name: z.string(),
  kind: z.enum(DISCOUNT_KINDS),
  value: nonNegativeInt,
  scope: z.enum(["line", "sale"]),
  active: z.boolean(),
});

export const customerSchema = z.object({
  id,
  name: z.string(),
  email: z.string().exactOptional(),
  phone: z.string().exactOptional(),
});

export const pinHashSchema = z.object({
  algorithm: z.literal("PBKDF2-SHA256"),
  iterations: z.number().int().positive(),
  salt: z.string().min(1),
  hash: z.string().min(1),
});

export const operatorSchema = z.object({
  id,
  name: z.string(),
  role: z.enum(OPERATOR_ROLES),
  permissions: z.array(z.enum(PERMISSIONS)).readonly(),
  maxDiscountBp: nonNegativeInt.max(10_000),
  pinHash: pinHashSchema,
});

export const offlineProfileSchema = z.object({
  id,
  name: z.string(),
  switchTimeoutMs: z.number().int().positive(),
  reconnectIntervalMs: z.number().int().positive(),
});

export const registerSettingsSchema = z.object({
  id,
  storeId: id,
  name: z.string(),
  offlineSupport: z.boolean(),
  offlineProfileId: id.exactOptional(),
});

export const tenderTypeSchema = z.object({
  id,
  name: z.string(),
  kind: z.enum(TENDER_KINDS),
});

/** The kinds of master data a package can carry, as they are named in rows. */
export const MASTER_DATA_ENTITIES = [
  "store",
  "tax-group",
  "product",
  "discount",
  "customer",
  "operator",
  "offline-profile",
  "register",
  "tender-type",
] as const;
export type MasterDataEntity = (typeof MASTER_DATA_ENTITIES)[number];

/** The domain type of each entity's value. */
export type MasterDataValue = {
  readonly store: Store;
  readonly "tax-group": TaxGroup;
  readonly product: Product;
  readonly discount: Discount;
  readonly customer: Customer;
  readonly operator: Operator;
  readonly "offline-profile": OfflineProfile;
  readonly register: Register;
  readonly "tender-type": TenderType;
};

/** One schema per entity; each is checked against its domain type below. */
export const MASTER_DATA_VALUE_SCHEMAS = {
  store: storeSchema,
  "tax-group": taxGroupSchema,
  product: productSchema,
  discount: discountSchema,
  customer: customerSchema,
  operator: operatorSchema,
  "offline-profile": offlineProfileSchema,
  register: registerSettingsSchema,
  "tender-type": tenderTypeSchema,
} as const satisfies { readonly [E in MasterDataEntity]: z.ZodType<MasterDataValue[E]> };

/** Inserts or replaces one record, identified by `value.id`. */
export type UpsertRow<E extends MasterDataEntity = MasterDataEntity> = {
  [K in E]: { readonly entity: K; readonly op: "upsert"; readonly value: MasterDataValue[K] };
}[E];

/** Removes one record; deleting an unknown id is not an error (rows are idempotent). */
export type DeleteRow<E extends MasterDataEntity = MasterDataEntity> = {
  readonly entity: E;
  readonly op: "delete";
  readonly id: string;
};

/** One change in a data package. */
export type MasterDataRow = UpsertRow | DeleteRow;

const upsertRowSchemas = MASTER_DATA_ENTITIES.map((entity) =>
  z.object({
    entity: z.literal(entity),
    op: z.literal("upsert"),
    value: MASTER_DATA_VALUE_SCHEMAS[entity],
  }),
);

const deleteRowSchema = z.object({
  entity: z.enum(MASTER_DATA_ENTITIES),
  op: z.literal("delete"),
  id,
});

/**
 * Schema of one row, for callers that validate a single row (imports, HTTP bodies). Package
 * decoding uses {@link parseMasterDataRow}, which dispatches on `entity` and `op` first.
 */
export const masterDataRowSchema = z.union([
  ...upsertRowSchemas,
  deleteRowSchema,
]) as unknown as z.ZodType<MasterDataRow>;

/** Result of validating one untrusted row. */
export type RowParseResult =
  | { readonly ok: true; readonly row: MasterDataRow }
  | { readonly ok: false; readonly problem: string };

const entitySet: ReadonlySet<string> = new Set(MASTER_DATA_ENTITIES);

function isEntity(value: unknown): value is MasterDataEntity {
  return typeof value === "string" && entitySet.has(value);
}

/**
 * Validates one untrusted row. Dispatches on `entity` and `op` so a 100k-row package pays for one
 * object schema per row, and reports the problem in words a support person can act on.
 */
export function parseMasterDataRow(input: unknown): RowParseResult {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    return { ok: false, problem: "row is not a JSON object" };
  }
  const candidate = input as { entity?: unknown; op?: unknown; value?: unknown; id?: unknown };
  if (!isEntity(candidate.entity)) {
    return { ok: false, problem: `unknown entity ${JSON.stringify(candidate.entity)}` };
  }
  if (candidate.op === "delete") {
    const parsed = deleteRowSchema.safeParse(input);
    return parsed.success
      ? { ok: true, row: parsed.data }
      : { ok: false, problem: z.prettifyError(parsed.error) };
  }
  if (candidate.op !== "upsert") {
    return { ok: false, problem: `unknown op ${JSON.stringify(candidate.op)}` };
  }
  const schema: z.ZodType<MasterDataValue[MasterDataEntity]> =
    MASTER_DATA_VALUE_SCHEMAS[candidate.entity];
  const parsed = schema.safeParse(candidate.value);
  if (!parsed.success) {
    return {
      ok: false,
      problem: `${candidate.entity} value: ${z.prettifyError(parsed.error)}`,
    };
  }
  return {
    ok: true,
    row: { entity: candidate.entity, op: "upsert", value: parsed.data } as MasterDataRow,
  };
}

/** The key a row addresses: the same for its upsert and its delete. */
export function rowKey(row: MasterDataRow): string {
  return `${row.entity}\u0000${row.op === "upsert" ? row.value.id : row.id}`;
}

function isId(value: unknown): value is string {
  return typeof value === "string" && value.length > 0;
}

function hasExactly(value: object, required: number, optional: number, known: string[]): boolean {
  let count = 0;
  let present = 0;
  for (const key in value) {
    if (!Object.hasOwn(value, key)) return false;
    count++;
    if (known.includes(key)) present++;
  }
  return count === present && count >= required && count <= required + optional;
}

const PRODUCT_KEYS = ["id", "name", "barcodes", "price", "taxGroupId", "active"];
const CUSTOMER_KEYS = ["id", "name", "email", "phone"];
const UPSERT_KEYS = ["entity", "op", "value"];
const DELETE_KEYS = ["entity", "op", "id"];

function isExactProduct(value: unknown): boolean {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  if (!hasExactly(value, 6, 0, PRODUCT_KEYS)) return false;
  const product = value as Record<string, unknown>;
  if (!isId(product.id) || typeof product.name !== "string" || !isId(product.taxGroupId)) {
    return false;
  }
  if (typeof product.active !== "boolean" || !Number.isSafeInteger(product.price)) return false;
  const barcodes = product.barcodes;
  if (!Array.isArray(barcodes)) return false;
  for (const barcode of barcodes) if (!isId(barcode)) return false;
  return true;
}

function isExactCustomer(value: unknown): boolean {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const customer = value as Record<string, unknown>;
  if (!isId(customer.id) || typeof customer.name !== "string") return false;
  if ("email" in customer && typeof customer.email !== "string") return false;
  if ("phone" in customer && typeof customer.phone !== "string") return false;
  return hasExactly(value, 2, 2, CUSTOMER_KEYS);
}

/**
 * Fast path of {@link parseMasterDataRow} for the rows that make up almost every package
 * (products, customers, deletes). Returns the input itself, as a row, only when it has exactly
 * the keys of its schema (no unknown keys, so nothing the schema would strip) and every value
 * passes the same checks as the zod schema; otherwise `undefined`, and the caller validates with
 * {@link parseMasterDataRow}, which decides and words the problem. Never accepts a row that
 * {@link parseMasterDataRow} rejects, and the rows it accepts hold only strings in their arrays.
 */
export function exactMasterDataRow(input: unknown): MasterDataRow | undefined {
  if (typeof input !== "object" || input === null || Array.isArray(input)) return undefined;
  const candidate = input as { entity?: unknown; op?: unknown; value?: unknown; id?: unknown };
  if (candidate.op === "upsert") {
    if (!hasExactly(input, 3, 0, UPSERT_KEYS)) return undefined;
    if (candidate.entity === "product") {
      return isExactProduct(candidate.value) ? (input as MasterDataRow) : undefined;
    }
    if (candidate.entity === "customer") {
      return isExactCustomer(candidate.value) ? (input as MasterDataRow) : undefined;
    }
    return undefined;
  }
  if (candidate.op === "delete") {
    if (!isEntity(candidate.entity) || !isId(candidate.id)) return undefined;
    return hasExactly(input, 3, 0, DELETE_KEYS) ? (input as MasterDataRow) : undefined;
  }
  return undefined;
}
