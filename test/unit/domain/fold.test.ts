import { describe, expect, it } from "vitest";
import { apply, fold, INITIAL_REGISTER_STATE, type PosEvent } from "../../../domain/index.ts";
import { card, cash, coffee, manager, mug, TestRegister, vat20 } from "./fixtures.ts";

function busyRegister(): TestRegister {
  const register = new TestRegister({ pricesIncludeTax: true });
  register.ok({ type: "openShift", openingFloat: 5000 });
  register.ok({ type: "startSale" });
  register.ok({ type: "addLine", product: coffee, taxGroup: vat20, quantity: 2 });
  register.ok({ type: "addLine", product: mug, taxGroup: vat20, quantity: 1 });
  register.ok({ type: "voidLine", lineId: register.lineId(1), approvedBy: manager.id });
  register.ok({ type: "applyDiscount", lineId: null, kind: "percent", value: 500 });
  register.ok({ type: "attachCustomer", customer: { id: "c1", name: "Ada" } });
  register.ok({ type: "recordModeChange", to: "offline", reason: "timeout" });
  register.ok({ type: "addPayment", tender: card, amount: 2000 });
  register.ok({ type: "addPayment", tender: cash, amount: 1000 });
  register.ok({ type: "completeSale" });
  register.ok({ type: "startSale" });
  register.ok({ type: "addLine", product: mug, taxGroup: vat20, quantity: 1 });
  return register;
}

describe("fold", () => {
  it("rebuilds the register state the commands produced, also after a JSON round trip", () => {
    const register = busyRegister();
    expect(fold(register.events)).toEqual(register.state);
    const roundTripped = JSON.parse(JSON.stringify(register.events)) as PosEvent[];
    expect(fold(roundTripped)).toEqual(register.state);
    expect(JSON.parse(JSON.stringify(register.state))).toEqual(register.state);
  });

  it("holds the last seq, mode, shift, open sale, next receipt and the receipt index", () => {
    const { state, events } = busyRegister();
    expect(state.lastSeq).toBe(events.length);
    expect(events.map((event) => event.seq)).toEqual(events.map((_, i) => i + 1));
    expect(state.mode).toBe("offline");
    expect(state.openShift).toMatchObject({ openingFloat: 5000, declaredCash: null });
    expect(state.nextReceiptSequence).toBe(3);
    expect(state.openSale?.receiptNumber).toBe("S1-R1-000002");
    expect(state.lastCompletedSale).toMatchObject({
      receiptNumber: "S1-R1-000001",
      total: 2375,
      changeDue: 625,
    });
    expect(state.completedSales["S1-R1-000001"]).toMatchObject({
      total: 2375,
      tax: 396,
      products: {
        [coffee.id]: { quantity: 2, amount: 2375, unitPrice: 1188, returnedQuantity: 0 },
      },
    });
    expect(state.completedSales["S1-R1-000001"]?.products[mug.id]).toBeUndefined();
  });

  it("never mutates the state it is given", () => {
    const { events } = busyRegister();
    let state = INITIAL_REGISTER_STATE;
    for (const event of events) {
      const before = JSON.stringify(state);
      const next = apply(state, event);
      expect(JSON.stringify(state)).toBe(before);
      state = next;
    }
  });

  it("ignores events for a sale that is not open instead of throwing", () => {
    const { events, state } = busyRegister();
    const stray: PosEvent = {
      type: "LineVoided",
      saleId: "not-open",
      lineId: "x",
      id: "stray",
      registerId: "R1",
      seq: events.length + 1,
      at: 0,
    };
    const after = apply(state, stray);
    expect(after.openSale).toBe(state.openSale);
    expect(after.lastSeq).toBe(events.length + 1);
  });
});
