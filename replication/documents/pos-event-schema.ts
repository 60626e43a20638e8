import { z } from "zod";
import { CONNECTION_MODES, MODE_CHANGE_REASONS, type PosEvent } from "../../domain/events.ts";
import { DISCOUNT_KINDS, TENDER_KINDS } from "../../domain/master-data.ts";

/** Longest id (event, sale, line, operator, product...) accepted from a peer. */
export const MAX_ID_LENGTH = 64;
/** Longest display name (product, customer) accepted from a peer. */
export const MAX_NAME_LENGTH = 200;
/** Longest free text (void reason, payment reference) accepted from a peer. */
export const MAX_TEXT_LENGTH = 500;
/** Longest serialised event accepted from a peer, in characters. */
export const MAX_EVENT_JSON_LENGTH = 4_096;

const id = z.string().min(1).max(MAX_ID_LENGTH);
const name = z.string().max(MAX_NAME_LENGTH);
const text = z.string().max(MAX_TEXT_LENGTH);
const money = z.int();
const basisPoints = z.int().min(0).max(1_000_000);
const positiveQuantity = z.number().positive().max(1_000_000);

const meta = {
  id,
  registerId: id,
  seq: z.int().positive(),
  at: z.int().nonnegative(),
} as const;

function event<const T extends string, S extends z.ZodRawShape>(type: T, shape: S) {
  return z.strictObject({ ...meta, type: z.literal(type), ...shape }).readonly();
}

export const shiftOpenedSchema = event("ShiftOpened", {
  shiftId: id,
  operatorId: id,
  openingFloat: money,
});
export const shiftClosedSchema = event("ShiftClosed", { shiftId: id, operatorId: id });
export const cashDeclaredSchema = event("CashDeclared", {
  shiftId: id,
  operatorId: id,
  amount: money,
});
export const saleStartedSchema = event("SaleStarted", {
  saleId: id,
  receiptNumber: id,
  storeId: id,
  operatorId: id,
  shiftId: id.nullable(),
  pricesIncludeTax: z.boolean(),
});
export const lineAddedSchema = event("LineAdded", {
  saleId: id,
  lineId: id,
  productId: id,
  name,
  barcode: id.nullable(),
  quantity: positiveQuantity,
  unitPrice: money,
  taxGroupId: id,
  taxRateBp: basisPoints,
});
export const lineQuantityChangedSchema = event("LineQuantityChanged", {
  saleId: id,
  lineId: id,
  quantity: positiveQuantity,
});
export const lineVoidedSchema = event("LineVoided", { saleId: id, lineId: id });
export const discountAppliedSchema = event("DiscountApplied", {
  saleId: id,
  discountId: id.nullable(),
  lineId: id.nullable(),
  kind: z.enum(DISCOUNT_KINDS),
  value: z.int().nonnegative(),
  operatorId: id,
  approvedBy: id.nullable(),
});
export const customerAttachedSchema = event("CustomerAttached", {
  saleId: id,
  customerId: id,
  name,
});
export const paymentAddedSchema = event("PaymentAdded", {
  saleId: id,
  paymentId: id,
  tenderTypeId: id,
  tenderKind: z.enum(TENDER_KINDS),
  amount: money,
  reference: text.nullable(),
});
export const saleCompletedSchema = event("SaleCompleted", {
  saleId: id,
  total: money,
  tax: money,
  changeDue: money,
});
export const saleVoidedSchema = event("SaleVoided", {
  saleId: id,
  reason: text,
  approvedBy: id.nullable(),
});
export const returnLineAddedSchema = event("ReturnLineAdded", {
  saleId: id,
  lineId: id,
  productId: id,
  name,
  quantity: positiveQuantity,
  unitPrice: money,
  taxGroupId: id,
  taxRateBp: basisPoints,
  originalReceipt: id.nullable(),
  approvedBy: id.nullable(),
});
export const modeChangedSchema = event("ModeChanged", {
  from: z.enum(CONNECTION_MODES),
  to: z.enum(CONNECTION_MODES),
  reason: z.enum(MODE_CHANGE_REASONS),
});

/**
 * Every event of the register's log, as accepted from an untrusted peer: known type, exact set
 * of fields (unknown fields are refused, so a peer cannot smuggle data), bounded strings, integer
 * money. Its inferred type equals the domain's {@link PosEvent} (checked by a type test).
 */
export const posEventSchema = z.discriminatedUnion("type", [
  shiftOpenedSchema,
  shiftClosedSchema,
  cashDeclaredSchema,
  saleStartedSchema,
  lineAddedSchema,
  lineQuantityChangedSchema,
  lineVoidedSchema,
  discountAppliedSchema,
  customerAttachedSchema,
  paymentAddedSchema,
  saleCompletedSchema,
  saleVoidedSchema,
  returnLineAddedSchema,
  modeChangedSchema,
]);

/** Parses an untrusted value as a {@link PosEvent}. */
export function parsePosEvent(value: unknown): z.ZodSafeParseResult<PosEvent> {
  return posEventSchema.safeParse(value);
}
