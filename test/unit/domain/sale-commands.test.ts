import { describe, expect, it } from "vitest";
import { DomainError, fold } from "../../../domain/index.ts";
import {
  card,
  cash,
  coffee,
  giftCard,
  manager,
  mug,
  retired,
  TestRegister,
  trainee,
  vat20,
  vat77,
} from "./fixtures.ts";

function registerWithSale(pricesIncludeTax = false): TestRegister {
  const register = new TestRegister({ pricesIncludeTax });
  register.ok({ type: "startSale" });
  return register;
}

describe("startSale", () => {
  it("opens a sale with the next receipt number and stamps the event", () => {
    const register = new TestRegister();
    const [event] = register.ok({ type: "startSale" });
    expect(event).toMatchObject({
      type: "SaleStarted",
      receiptNumber: "S1-R1-000001",
      registerId: "R1",
      seq: 1,
      at: register.now,
      storeId: "S1",
      operatorId: "op-cashier",
      shiftId: null,
      pricesIncludeTax: false,
    });
    expect(event?.id).toBe("R1-id-2");
    expect(register.state.openSale?.receiptNumber).toBe("S1-R1-000001");
  });

  it("refuses a second open sale, a register mismatch, a store id that cannot be numbered", () => {
    const register = registerWithSale();
    expect(register.refused({ type: "startSale" })).toBe("SALE_ALREADY_OPEN");
    register.ok({ type: "voidSale", reason: "test" }, { operator: manager });
    expect(register.refused({ type: "startSale" }, { registerId: "R2" })).toBe("REGISTER_MISMATCH");
    expect(new TestRegister({ storeId: "S-1" }).refused({ type: "startSale" })).toBe(
      "INVALID_RECEIPT_NUMBER",
    );
  });

  it("refuses an operator without the sell permission", () => {
    const register = new TestRegister({ operator: { ...trainee, permissions: [] } });
    expect(register.refused({ type: "startSale" })).toBe("PERMISSION_DENIED");
  });

  it("numbers receipts from the folded log, also after a restart", () => {
    const register = registerWithSale();
    register.ok({ type: "voidSale", reason: "test" }, { operator: manager });
    register.ok({ type: "startSale" });
    expect(register.state.openSale?.receiptNumber).toBe("S1-R1-000002");
    const restarted = fold(JSON.parse(JSON.stringify(register.events)));
    expect(restarted.nextReceiptSequence).toBe(3);
  });
});

describe("addLine", () => {
  it("records the price and tax rate used", () => {
    const register = registerWithSale();
    const [event] = register.ok({
      type: "addLine",
      product: coffee,
      taxGroup: vat20,
      quantity: 2,
      barcode: "4000000000017",
    });
    expect(event).toMatchObject({
      type: "LineAdded",
      productId: "p-coffee",
      quantity: 2,
      unitPrice: 1250,
      taxGroupId: "tax-std",
      taxRateBp: 2000,
      barcode: "4000000000017",
      seq: 2,
    });
    expect(register.state.openSale?.totals).toMatchObject({ gross: 2500, tax: 500, total: 3000 });
  });

  it.each([0, -1, 1.5, Number.NaN, 10_000])("refuses quantity %s", (quantity) => {
    const register = registerWithSale();
    expect(register.refused({ type: "addLine", product: coffee, taxGroup: vat20, quantity })).toBe(
      "INVALID_QUANTITY",
    );
  });

  it("refuses inactive products, a wrong tax group, no open sale, lines after payment", () => {
    const register = new TestRegister();
    expect(
      register.refused({ type: "addLine", product: coffee, taxGroup: vat20, quantity: 1 }),
    ).toBe("NO_OPEN_SALE");
    register.ok({ type: "startSale" });
    expect(
      register.refused({ type: "addLine", product: retired, taxGroup: vat20, quantity: 1 }),
    ).toBe("PRODUCT_INACTIVE");
    expect(
      register.refused({ type: "addLine", product: coffee, taxGroup: vat77, quantity: 1 }),
    ).toBe("TAX_GROUP_MISMATCH");
    register.ok({ type: "addLine", product: coffee, taxGroup: vat20, quantity: 1 });
    register.ok({ type: "addPayment", tender: cash, amount: 100 });
    expect(register.refused({ type: "addLine", product: mug, taxGroup: vat20, quantity: 1 })).toBe(
      "SALE_HAS_PAYMENTS",
    );
  });
});

describe("changeQuantity and voidLine", () => {
  it("changes a quantity and voids a line once", () => {
    const register = registerWithSale();
    register.ok({ type: "addLine", product: coffee, taxGroup: vat20, quantity: 1 });
    register.ok({ type: "addLine", product: mug, taxGroup: vat20, quantity: 1 });
    register.ok({ type: "changeQuantity", lineId: register.lineId(0), quantity: 3 });
    expect(register.state.openSale?.totals.gross).toBe(3 * 1250 + 799);
    register.ok({ type: "voidLine", lineId: register.lineId(1) }, { operator: manager });
    expect(register.state.openSale?.totals.gross).toBe(3 * 1250);
    expect(
      register.refused({ type: "voidLine", lineId: register.lineId(1) }, { operator: manager }),
    ).toBe("LINE_ALREADY_VOIDED");
    expect(
      register.refused({ type: "changeQuantity", lineId: register.lineId(1), quantity: 2 }),
    ).toBe("LINE_ALREADY_VOIDED");
    expect(register.refused({ type: "changeQuantity", lineId: "nope", quantity: 2 })).toBe(
      "LINE_NOT_FOUND",
    );
    expect(
      register.refused({ type: "changeQuantity", lineId: register.lineId(0), quantity: 0 }),
    ).toBe("INVALID_QUANTITY");
  });

  it("needs void-line or a different manager to void", () => {
    const register = registerWithSale();
    register.ok({ type: "addLine", product: coffee, taxGroup: vat20, quantity: 1 });
    const lineId = register.lineId(0);
    expect(register.refused({ type: "voidLine", lineId })).toBe("PERMISSION_DENIED");
    expect(register.refused({ type: "voidLine", lineId, approvedBy: "op-trainee" })).toBe(
      "PERMISSION_DENIED",
    );
    expect(register.refused({ type: "voidLine", lineId, approvedBy: "ghost" })).toBe(
      "MANAGER_NOT_FOUND",
    );
    expect(
      register.refused({ type: "voidLine", lineId, approvedBy: manager.id }, { operator: manager }),
    ).toBe("MANAGER_MUST_DIFFER");
    register.ok({ type: "voidLine", lineId, approvedBy: manager.id });
  });
});

describe("applyDiscount", () => {
  it("applies line and sale discounts within the operator's limit", () => {
    const register = registerWithSale();
    register.ok({ type: "addLine", product: coffee, taxGroup: vat20, quantity: 2 });
    const [event] = register.ok({
      type: "applyDiscount",
      lineId: register.lineId(0),
      kind: "percent",
      value: 1000,
    });
    expect(event).toMatchObject({
      type: "DiscountApplied",
      approvedBy: null,
      operatorId: "op-cashier",
    });
    expect(register.state.openSale?.lines[0]?.amounts.lineDiscount).toBe(250);
    register.ok({ type: "applyDiscount", lineId: null, kind: "amount", value: 100 });
    expect(register.state.openSale?.totals).toMatchObject({
      gross: 2500,
      lineDiscount: 250,
      saleDiscount: 100,
      discount: 350,
      tax: 430,
      total: 2580,
    });
  });

  it("refuses over the limit, and accepts it with a different manager recorded in approvedBy", () => {
    const register = registerWithSale();
    register.ok({ type: "addLine", product: coffee, taxGroup: vat20, quantity: 1 });
    const lineId = register.lineId(0);
    const refused = register.run({ type: "applyDiscount", lineId, kind: "percent", value: 1500 });
    expect(refused.ok).toBe(false);
    if (!refused.ok) {
      expect(refused.error).toBeInstanceOf(DomainError);
      expect(refused.error.code).toBe("DISCOUNT_OVER_LIMIT");
      expect(refused.error.message).toContain("Ask a manager");
    }
    register.ok({ type: "applyDiscount", lineId, kind: "percent", value: 600 });
    expect(register.refused({ type: "applyDiscount", lineId, kind: "percent", value: 500 })).toBe(
      "DISCOUNT_OVER_LIMIT",
    );
    expect(
      register.refused({
        type: "applyDiscount",
        lineId,
        kind: "percent",
        value: 1500,
        approvedBy: "op-cashier",
      }),
    ).toBe("MANAGER_MUST_DIFFER");
    const [event] = register.ok({
      type: "applyDiscount",
      lineId,
      kind: "percent",
      value: 1500,
      approvedBy: manager.id,
    });
    expect(event).toMatchObject({ approvedBy: manager.id });
  });

  it("refuses invalid values, amount above the base, return lines, operators without discount", () => {
    const register = registerWithSale();
    register.ok({ type: "addLine", product: coffee, taxGroup: vat20, quantity: 1 });
    const lineId = register.lineId(0);
    expect(register.refused({ type: "applyDiscount", lineId, kind: "percent", value: 0 })).toBe(
      "INVALID_DISCOUNT",
    );
    expect(
      register.refused({ type: "applyDiscount", lineId, kind: "percent", value: 10_001 }),
    ).toBe("INVALID_DISCOUNT");
    expect(register.refused({ type: "applyDiscount", lineId, kind: "amount", value: 1251 })).toBe(
      "INVALID_DISCOUNT",
    );
    expect(
      register.refused(
        { type: "applyDiscount", lineId, kind: "amount", value: 10 },
        { operator: trainee },
      ),
    ).toBe("PERMISSION_DENIED");
    register.ok(
      { type: "addReturnLine", kind: "blind", product: mug, taxGroup: vat20, quantity: 1 },
      { operator: manager },
    );
    expect(
      register.refused({
        type: "applyDiscount",
        lineId: register.lineId(1),
        kind: "amount",
        value: 1,
      }),
    ).toBe("DISCOUNT_ON_RETURN_LINE");
  });
});

describe("attachCustomer", () => {
  it("attaches a customer to the open sale only", () => {
    const register = new TestRegister();
    const customer = { id: "c1", name: "Ada" };
    expect(register.refused({ type: "attachCustomer", customer })).toBe("NO_OPEN_SALE");
    register.ok({ type: "startSale" });
    register.ok({ type: "attachCustomer", customer });
    expect(register.state.openSale?.customer).toEqual({ customerId: "c1", name: "Ada" });
  });
});

describe("addPayment and completeSale", () => {
  it("gives change for cash over the amount due", () => {
    const register = registerWithSale();
    register.ok({ type: "addLine", product: coffee, taxGroup: vat20, quantity: 1 });
    expect(register.refused({ type: "completeSale" })).toBe("SALE_NOT_PAID");
    register.ok({ type: "addPayment", tender: card, amount: 1000 });
    register.ok({ type: "addPayment", tender: cash, amount: 1000 });
    expect(register.state.openSale).toMatchObject({ paid: 2000, amountDue: 0, change: 500 });
    const [completed] = register.ok({ type: "completeSale" });
    expect(completed).toMatchObject({
      type: "SaleCompleted",
      total: 1500,
      tax: 250,
      changeDue: 500,
    });
    expect(register.state.openSale).toBeNull();
    expect(register.state.lastCompletedSale).toMatchObject({ changeDue: 500, total: 1500 });
  });

  it("refuses a card payment over the amount due with a message naming the due", () => {
    const register = registerWithSale();
    register.ok({ type: "addLine", product: coffee, taxGroup: vat20, quantity: 1 });
    const result = register.run({ type: "addPayment", tender: card, amount: 1501 });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe("CARD_OVERPAY");
      expect(result.error.message).toBe(
        "Card payments cannot exceed the amount due (15.00). Pay the rest in cash or reduce the card amount.",
      );
    }
  });

  it("refuses online-only tenders offline, zero amounts, payments when nothing is due", () => {
    const register = registerWithSale();
    register.ok({ type: "addLine", product: coffee, taxGroup: vat20, quantity: 1 });
    expect(
      register.refused({ type: "addPayment", tender: giftCard, amount: 100 }, { online: false }),
    ).toBe("ONLINE_ONLY_TENDER_OFFLINE");
    register.ok({ type: "addPayment", tender: giftCard, amount: 100 });
    expect(register.refused({ type: "addPayment", tender: giftCard, amount: 1401 })).toBe(
      "TENDER_OVERPAY",
    );
    expect(register.refused({ type: "addPayment", tender: cash, amount: 0 })).toBe(
      "INVALID_AMOUNT",
    );
    expect(register.refused({ type: "addPayment", tender: cash, amount: -5 })).toBe(
      "INVALID_AMOUNT",
    );
    register.ok({ type: "addPayment", tender: cash, amount: 1400 });
    expect(register.refused({ type: "addPayment", tender: cash, amount: 1 })).toBe("NOTHING_DUE");
    register.ok({ type: "completeSale" });
    expect(register.refused({ type: "addPayment", tender: cash, amount: 1 })).toBe("NO_OPEN_SALE");
  });

  it("refuses to complete an empty sale", () => {
    const register = registerWithSale();
    expect(register.refused({ type: "completeSale" })).toBe("SALE_EMPTY");
  });
});

describe("voidSale", () => {
  it("needs void-sale or a manager, and records the approver", () => {
    const register = registerWithSale();
    expect(register.refused({ type: "voidSale", reason: "customer left" })).toBe(
      "PERMISSION_DENIED",
    );
    const [event] = register.ok({
      type: "voidSale",
      reason: "customer left",
      approvedBy: manager.id,
    });
    expect(event).toMatchObject({
      type: "SaleVoided",
      approvedBy: manager.id,
      reason: "customer left",
    });
    expect(register.state.openSale).toBeNull();
    expect(register.refused({ type: "voidSale", reason: "x" }, { operator: manager })).toBe(
      "NO_OPEN_SALE",
    );
  });
});

describe("addReturnLine", () => {
  function soldTwoCoffees(): TestRegister {
    const register = registerWithSale();
    register.ok({ type: "addLine", product: coffee, taxGroup: vat20, quantity: 2 });
    register.ok({ type: "addPayment", tender: card, amount: 3000 });
    register.ok({ type: "completeSale" });
    return register;
  }

  it("returns against a local receipt at the price paid, no more than sold", () => {
    const register = soldTwoCoffees();
    register.ok({ type: "startSale" });
    const receiptNumber = "S1-R1-000001";
    const [event] = register.ok({
      type: "addReturnLine",
      kind: "receipt",
      receiptNumber,
      productId: coffee.id,
      quantity: 1,
    });
    expect(event).toMatchObject({
      unitPrice: 1250,
      originalReceipt: receiptNumber,
      approvedBy: null,
    });
    expect(register.state.openSale?.totals.total).toBe(-1500);
    expect(
      register.refused({
        type: "addReturnLine",
        kind: "receipt",
        receiptNumber,
        productId: coffee.id,
        quantity: 2,
      }),
    ).toBe("RETURN_EXCEEDS_SOLD");
    expect(
      register.refused({ type: "changeQuantity", lineId: register.lineId(0), quantity: 3 }),
    ).toBe("RETURN_EXCEEDS_SOLD");
    register.ok({ type: "changeQuantity", lineId: register.lineId(0), quantity: 2 });
    expect(register.refused({ type: "addPayment", tender: cash, amount: 100 })).toBe(
      "INVALID_AMOUNT",
    );
    expect(register.refused({ type: "addPayment", tender: cash, amount: -3001 })).toBe(
      "TENDER_OVERPAY",
    );
    register.ok({ type: "addPayment", tender: cash, amount: -3000 });
    register.ok({ type: "completeSale" });
    expect(
      register.state.completedSales[receiptNumber]?.products[coffee.id]?.returnedQuantity,
    ).toBe(2);
    register.ok({ type: "startSale" });
    expect(
      register.refused({
        type: "addReturnLine",
        kind: "receipt",
        receiptNumber,
        productId: coffee.id,
        quantity: 1,
      }),
    ).toBe("RETURN_EXCEEDS_SOLD");
    expect(
      register.refused({
        type: "addReturnLine",
        kind: "receipt",
        receiptNumber,
        productId: mug.id,
        quantity: 1,
      }),
    ).toBe("RETURN_EXCEEDS_SOLD");
  });

  it("refuses unknown receipts offline with a clear message, asks the server online", () => {
    const register = soldTwoCoffees();
    register.ok({ type: "startSale" });
    const command = {
      type: "addReturnLine",
      kind: "receipt",
      receiptNumber: "S1-R9-000001",
      productId: coffee.id,
      quantity: 1,
    } as const;
    expect(register.refused(command, { online: false })).toBe("RECEIPT_NOT_ON_REGISTER_OFFLINE");
    expect(register.refused(command)).toBe("RECEIPT_NOT_FOUND");
    const remote = register.state.completedSales["S1-R1-000001"];
    register.ok(command, { findReceipt: () => remote });
  });

  it("needs return-with-receipt or a manager", () => {
    const register = soldTwoCoffees();
    register.ok({ type: "startSale" }, { operator: trainee });
    const command = {
      type: "addReturnLine",
      kind: "receipt",
      receiptNumber: "S1-R1-000001",
      productId: coffee.id,
      quantity: 1,
    } as const;
    expect(register.refused(command, { operator: trainee })).toBe("PERMISSION_DENIED");
    register.ok({ ...command, approvedBy: manager.id }, { operator: trainee });
  });

  it("allows blind returns only with return-blind or an approving manager", () => {
    const register = registerWithSale();
    const blind = {
      type: "addReturnLine",
      kind: "blind",
      product: mug,
      taxGroup: vat20,
      quantity: 1,
    } as const;
    expect(register.refused(blind)).toBe("RETURN_NEEDS_RECEIPT_OR_PERMISSION");
    expect(register.refused({ ...blind, approvedBy: "op-cashier" })).toBe("MANAGER_MUST_DIFFER");
    const [approved] = register.ok({ ...blind, approvedBy: manager.id });
    expect(approved).toMatchObject({
      originalReceipt: null,
      approvedBy: manager.id,
      unitPrice: 799,
    });
    const [own] = register.ok(blind, { operator: manager });
    expect(own).toMatchObject({ approvedBy: manager.id });
    expect(register.refused({ ...blind, taxGroup: vat77 }, { operator: manager })).toBe(
      "TAX_GROUP_MISMATCH",
    );
  });
});

describe("shifts", () => {
  it("opens, declares and closes a shift; sales carry the shift id", () => {
    const register = new TestRegister();
    expect(register.refused({ type: "closeShift" })).toBe("NO_OPEN_SHIFT");
    expect(register.refused({ type: "declareCash", amount: 1 })).toBe("NO_OPEN_SHIFT");
    expect(register.refused({ type: "openShift", openingFloat: -1 })).toBe("INVALID_AMOUNT");
    expect(register.refused({ type: "openShift", openingFloat: 100 }, { operator: trainee })).toBe(
      "PERMISSION_DENIED",
    );
    const [opened] = register.ok({ type: "openShift", openingFloat: 10_000 });
    expect(register.refused({ type: "openShift", openingFloat: 0 })).toBe("SHIFT_ALREADY_OPEN");
    register.ok({ type: "startSale" });
    expect(register.state.openSale?.shiftId).toBe(
      opened?.type === "ShiftOpened" ? opened.shiftId : "",
    );
    expect(register.refused({ type: "closeShift" })).toBe("SALE_IN_PROGRESS");
    register.ok({ type: "voidSale", reason: "x" }, { operator: manager });
    expect(register.refused({ type: "declareCash", amount: -1 })).toBe("INVALID_AMOUNT");
    register.ok({ type: "declareCash", amount: 9_990 });
    expect(register.state.openShift?.declaredCash).toBe(9_990);
    register.ok({ type: "closeShift" });
    expect(register.state.openShift).toBeNull();
  });
});

describe("recordModeChange", () => {
  it("records switches and refuses a switch to the current mode", () => {
    const register = registerWithSale();
    expect(register.refused({ type: "recordModeChange", to: "online", reason: "manual" })).toBe(
      "MODE_UNCHANGED",
    );
    const [event] = register.ok({ type: "recordModeChange", to: "offline", reason: "timeout" });
    expect(event).toMatchObject({ type: "ModeChanged", from: "online", to: "offline", seq: 2 });
    expect(register.state.mode).toBe("offline");
    expect(register.state.openSale).not.toBeNull();
    expect(register.state.modeChangedAt).toBe(register.now);
  });
});
