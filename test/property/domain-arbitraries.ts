import fc from "fast-check";
import type { Product, RegisterCommand } from "../../domain/index.ts";
import {
  card,
  cash,
  cashier,
  coffee,
  giftCard,
  manager,
  mug,
  TestRegister,
  trainee,
  vat20,
} from "../unit/domain/fixtures.ts";

/** Runs read from the environment so the soak job can raise them; 100 by default. */
export const propertyRuns = Number(process.env.POS_PROPERTY_RUNS ?? 100);

const cent: Product = {
  id: "p-cent",
  name: "Sweet",
  barcodes: [],
  price: 1,
  taxGroupId: vat20.id,
  active: true,
};
const odd: Product = {
  id: "p-odd",
  name: "Odd",
  barcodes: [],
  price: 333,
  taxGroupId: vat20.id,
  active: true,
};
export const products = [coffee, mug, cent, odd] as const;
const tenders = [cash, card, giftCard] as const;
const people = [cashier, trainee, manager] as const;

/** An abstract cashier action; turned into a concrete command against the current state. */
export type Action =
  | { t: "start" }
  | { t: "add"; product: number; quantity: number }
  | { t: "qty"; line: number; quantity: number }
  | { t: "void"; line: number; manager: boolean }
  | {
      t: "discount";
      line: number | null;
      kind: "percent" | "amount";
      value: number;
      manager: boolean;
    }
  | { t: "pay"; tender: number; mode: "exact" | "half" | "over" | "raw"; raw: number }
  | { t: "complete" }
  | { t: "voidSale"; manager: boolean }
  | { t: "returnReceipt"; receipt: number; product: number; quantity: number }
  | { t: "returnBlind"; product: number; quantity: number; manager: boolean }
  | { t: "openShift"; float: number }
  | { t: "closeShift" }
  | { t: "declare"; amount: number }
  | { t: "mode"; online: boolean }
  | { t: "operator"; who: number };

const quantity = fc.oneof(
  { weight: 5, arbitrary: fc.integer({ min: 1, max: 5 }) },
  fc.integer({ min: -2, max: 12 }),
);

export const actionArb: fc.Arbitrary<Action> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ t: "start" } as const) },
  {
    weight: 6,
    arbitrary: fc.record({ t: fc.constant("add" as const), product: fc.nat(3), quantity }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ t: fc.constant("qty" as const), line: fc.nat(4), quantity }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      t: fc.constant("void" as const),
      line: fc.nat(4),
      manager: fc.boolean(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant("discount" as const),
      line: fc.option(fc.nat(4), { nil: null }),
      kind: fc.constantFrom("percent" as const, "amount" as const),
      value: fc.oneof(
        fc.constantFrom(1, 500, 1000, 3333, 10_000),
        fc.integer({ min: -5, max: 12_000 }),
      ),
      manager: fc.boolean(),
    }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      t: fc.constant("pay" as const),
      tender: fc.nat(2),
      mode: fc.constantFrom("exact" as const, "half" as const, "over" as const, "raw" as const),
      raw: fc.integer({ min: -5000, max: 5000 }),
    }),
  },
  { weight: 4, arbitrary: fc.constant({ t: "complete" } as const) },
  {
    weight: 1,
    arbitrary: fc.record({ t: fc.constant("voidSale" as const), manager: fc.boolean() }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant("returnReceipt" as const),
      receipt: fc.nat(5),
      product: fc.nat(3),
      quantity,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      t: fc.constant("returnBlind" as const),
      product: fc.nat(3),
      quantity,
      manager: fc.boolean(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      t: fc.constant("openShift" as const),
      float: fc.integer({ min: -10, max: 20_000 }),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ t: "closeShift" } as const) },
  {
    weight: 1,
    arbitrary: fc.record({
      t: fc.constant("declare" as const),
      amount: fc.integer({ min: -10, max: 50_000 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("mode" as const), online: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("operator" as const), who: fc.nat(2) }) },
);

/** A register being driven by abstract actions; the operator and connection may change. */
export class Session {
  readonly register: TestRegister;
  operator: (typeof people)[number] = cashier;
  online = true;

  constructor(registerId = "R1", pricesIncludeTax = false) {
    this.register = new TestRegister({ registerId, pricesIncludeTax });
  }

  /** Turns the action into a command (or nothing) and runs it; returns whether it was accepted. */
  step(action: Action): { command: RegisterCommand | null; accepted: boolean } {
    if (action.t === "operator") {
      this.operator = people[action.who] ?? cashier;
      return { command: null, accepted: true };
    }
    const command = this.#command(action);
    if (command === null) return { command, accepted: false };
    const result = this.register.run(command, { operator: this.operator, online: this.online });
    if (result.ok && command.type === "recordModeChange") this.online = command.to === "online";
    return { command, accepted: result.ok };
  }

  #command(action: Exclude<Action, { t: "operator" }>): RegisterCommand | null {
    const { state } = this.register;
    const sale = state.openSale;
    const lineId = (index: number): string =>
      sale?.lines[index % Math.max(1, sale.lines.length)]?.lineId ?? "none";
    const approver = (wanted: boolean) => (wanted ? { approvedBy: manager.id } : {});
    switch (action.t) {
      case "start":
        return { type: "startSale" };
      case "add": {
        const product = products[action.product] ?? coffee;
        return { type: "addLine", product, taxGroup: vat20, quantity: action.quantity };
      }
      case "qty":
        return { type: "changeQuantity", lineId: lineId(action.line), quantity: action.quantity };
      case "void":
        return { type: "voidLine", lineId: lineId(action.line), ...approver(action.manager) };
      case "discount":
        return {
          type: "applyDiscount",
          lineId: action.line === null ? null : lineId(action.line),
          kind: action.kind,
          value: action.value,
          ...approver(action.manager),
        };
      case "pay": {
        const due = sale?.amountDue ?? 0;
        const amount =
          action.mode === "exact"
            ? due
            : action.mode === "half"
              ? Math.trunc(due / 2)
              : action.mode === "over"
                ? due + Math.abs(action.raw)
                : action.raw;
        return { type: "addPayment", tender: tenders[action.tender] ?? cash, amount };
      }
      case "complete":
        return { type: "completeSale" };
      case "voidSale":
        return { type: "voidSale", reason: "test", ...approver(action.manager) };
      case "returnReceipt": {
        const receipts = Object.keys(state.completedSales).sort();
        const receiptNumber =
          receipts[action.receipt % Math.max(1, receipts.length)] ?? "S1-R1-999999";
        return {
          type: "addReturnLine",
          kind: "receipt",
          receiptNumber,
          productId: (products[action.product] ?? coffee).id,
          quantity: action.quantity,
        };
      }
      case "returnBlind":
        return {
          type: "addReturnLine",
          kind: "blind",
          product: products[action.product] ?? coffee,
          taxGroup: vat20,
          quantity: action.quantity,
          ...approver(action.manager),
        };
      case "openShift":
        return { type: "openShift", openingFloat: action.float };
      case "closeShift":
        return { type: "closeShift" };
      case "declare":
        return { type: "declareCash", amount: action.amount };
      case "mode":
        return {
          type: "recordModeChange",
          to: action.online ? "online" : "offline",
          reason: action.online ? "reconnect" : "timeout",
        };
    }
  }

  /** Finishes whatever sale is open (pays exactly and completes), so logs end at a sale boundary. */
  settle(): void {
    const sale = this.register.state.openSale;
    if (sale === null) return;
    const completed = this.register.run({ type: "completeSale" }, { operator: manager });
    if (completed.ok) return;
    if (sale.amountDue !== 0) {
      this.register.run(
        { type: "addPayment", tender: cash, amount: sale.amountDue },
        { operator: manager },
      );
    }
    const again = this.register.run({ type: "completeSale" }, { operator: manager });
    if (!again.ok) this.register.run({ type: "voidSale", reason: "settle" }, { operator: manager });
  }
}
