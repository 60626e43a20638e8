import { describe, expect, it } from "vitest";
import { ChannelProjection } from "../../../domain/index.ts";
import { card, cash, coffee, manager, mug, TestRegister, vat20 } from "./fixtures.ts";

function shiftWithSales(): TestRegister {
  const register = new TestRegister();
  register.ok({ type: "openShift", openingFloat: 10_000 });
  register.ok({ type: "startSale" });
  register.ok({ type: "addLine", product: coffee, taxGroup: vat20, quantity: 2 });
  register.ok({ type: "addPayment", tender: card, amount: 1000 });
  register.ok({ type: "addPayment", tender: cash, amount: 2500 });
  register.ok({ type: "completeSale" });
  register.ok({ type: "startSale" });
  register.ok({ type: "addLine", product: mug, taxGroup: vat20, quantity: 1 });
  register.ok({ type: "voidSale", reason: "changed mind", approvedBy: manager.id });
  register.ok({ type: "startSale" });
  register.ok({
    type: "addReturnLine",
    kind: "receipt",
    receiptNumber: "S1-R1-000001",
    productId: coffee.id,
    quantity: 1,
  });
  register.ok({ type: "addPayment", tender: cash, amount: -1500 });
  register.ok({ type: "completeSale" });
  register.ok({ type: "declareCash", amount: 12_400 });
  return register;
}

describe("ChannelProjection", () => {
  it("keeps a journal of completed sales with lines, payments, totals", () => {
    const projection = new ChannelProjection({ [coffee.id]: 10 });
    projection.ingestAll(shiftWithSales().events);
    const journal = projection.journal();
    expect(journal.map((entry) => entry.receiptNumber)).toEqual(["S1-R1-000001", "S1-R1-000003"]);
    expect(journal[0]).toMatchObject({
      registerId: "R1",
      operatorId: "op-cashier",
      total: 3000,
      tax: 500,
      changeDue: 500,
      lines: [{ productId: coffee.id, quantity: 2, total: 3000, kind: "sale" }],
      payments: [
        { tenderKind: "card", amount: 1000 },
        { tenderKind: "cash", amount: 2500 },
      ],
    });
    expect(journal[1]).toMatchObject({
      total: -1500,
      lines: [{ kind: "return", originalReceipt: "S1-R1-000001" }],
    });
    expect(projection.stockOnHand(coffee.id)).toBe(9);
    expect(projection.stockOnHand(mug.id)).toBe(0);
    expect(projection.completedSale("S1-R1-000001")?.products[coffee.id]?.returnedQuantity).toBe(1);
  });

  it("is idempotent by event id", () => {
    const events = shiftWithSales().events;
    const once = new ChannelProjection({ [coffee.id]: 10 });
    once.ingestAll(events);
    const twice = new ChannelProjection({ [coffee.id]: 10 });
    expect(twice.ingestAll(events)).toBe(events.length);
    expect(twice.ingestAll(events)).toBe(0);
    expect(twice.ingest(events[5]!)).toBe(false);
    expect(twice.snapshot()).toEqual(once.snapshot());
    expect(twice.eventCount).toBe(events.length);
  });

  it("gives X reports per shift and a Z report only once the shift is closed", () => {
    const register = shiftWithSales();
    const shiftId = register.state.openShift!.shiftId;
    const projection = new ChannelProjection();
    projection.ingestAll(register.events);
    const x = projection.xReport("R1", shiftId);
    expect(x).toMatchObject({
      status: "open",
      openingFloat: 10_000,
      salesCount: 2,
      gross: 3000,
      returns: 1500,
      returnedUnits: 1,
      tax: 250,
      net: 1500,
      voidedSales: 1,
      byTender: [
        { tenderTypeId: "t-card", tenderKind: "card", amount: 1000 },
        { tenderTypeId: "t-cash", tenderKind: "cash", amount: 500 },
      ],
      cashExpected: 10_500,
      cashDeclared: 12_400,
      cashDifference: 1_900,
    });
    const early = projection.zReport("R1", shiftId);
    expect(early.ok).toBe(false);
    if (!early.ok) expect(early.error.code).toBe("SHIFT_NOT_CLOSED");

    const closing = register.run({ type: "closeShift" });
    expect(closing.ok).toBe(true);
    projection.ingestAll(register.events);
    const z = projection.zReport("R1", shiftId);
    expect(z.ok).toBe(true);
    if (z.ok) expect(z.report).toMatchObject({ ...x, status: "closed", closedAt: register.now });
    expect(projection.xReport("R9", null)).toMatchObject({ salesCount: 0, shiftId: null });
    expect(projection.reports()).toHaveLength(1);
  });
});
