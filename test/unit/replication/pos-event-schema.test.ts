import { describe, expect, it } from "vitest";
import type { z } from "zod";
import type { PosEvent } from "../../../domain/events.ts";
import {
  MAX_ID_LENGTH,
  MAX_NAME_LENGTH,
  parsePosEvent,
  type posEventSchema,
} from "../../../replication/documents/pos-event-schema.ts";
import { sampleSaleEvents } from "./sample-events.ts";

/** Identical types (not merely mutually assignable); readonly modifiers count. */
type Equals<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
/** Flattens `EventMeta & {...}` into one object type per union member. */
type Flat<E> = E extends unknown ? { [K in keyof E]: E[K] } : never;

describe("posEventSchema", () => {
  it("infers exactly the domain's PosEvent (checked by tsc)", () => {
    const same: Equals<Flat<z.infer<typeof posEventSchema>>, Flat<PosEvent>> = true;
    expect(same).toBe(true);
  });

  it("accepts every event of a complete sale", () => {
    for (const event of sampleSaleEvents("reg-1", 1, "sale-1")) {
      const parsed = parsePosEvent(JSON.parse(JSON.stringify(event)));
      expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
      expect(parsed.data).toEqual(event);
    }
  });

  it("refuses wrong types, unknown event types and extra fields", () => {
    const [started] = sampleSaleEvents("reg-1", 1, "sale-1");
    expect(parsePosEvent({ ...started, seq: "1" }).success).toBe(false);
    expect(parsePosEvent({ ...started, seq: 1.5 }).success).toBe(false);
    expect(parsePosEvent({ ...started, type: "SaleDeleted" }).success).toBe(false);
    expect(parsePosEvent({ ...started, smuggled: "x" }).success).toBe(false);
    expect(parsePosEvent(null).success).toBe(false);
  });

  it("refuses oversized strings and non-integer money", () => {
    const events = sampleSaleEvents("reg-1", 1, "sale-1");
    const line = events.find((e) => e.type === "LineAdded");
    expect(parsePosEvent({ ...line, name: "x".repeat(MAX_NAME_LENGTH) }).success).toBe(true);
    expect(parsePosEvent({ ...line, name: "x".repeat(MAX_NAME_LENGTH + 1) }).success).toBe(false);
    expect(parsePosEvent({ ...line, lineId: "x".repeat(MAX_ID_LENGTH + 1) }).success).toBe(false);
    expect(parsePosEvent({ ...line, unitPrice: 1.99 }).success).toBe(false);
    expect(parsePosEvent({ ...line, quantity: 0 }).success).toBe(false);
  });
});
