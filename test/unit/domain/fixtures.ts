import {
  apply,
  type CommandContext,
  type CommandResult,
  executeCommand,
  INITIAL_REGISTER_STATE,
  type Operator,
  type PosEvent,
  type Product,
  type RegisterCommand,
  type RegisterState,
  type TaxGroup,
  type TenderType,
} from "../../../domain/index.ts";

const pinHash = { algorithm: "PBKDF2-SHA256", iterations: 1, salt: "", hash: "" } as const;

export const cashier: Operator = {
  id: "op-cashier",
  name: "Cara Cashier",
  role: "cashier",
  permissions: ["sell", "discount", "return-with-receipt", "shift"],
  maxDiscountBp: 1000,
  pinHash,
};

export const trainee: Operator = {
  id: "op-trainee",
  name: "Tim Trainee",
  role: "cashier",
  permissions: ["sell"],
  maxDiscountBp: 0,
  pinHash,
};

export const manager: Operator = {
  id: "op-manager",
  name: "Mona Manager",
  role: "manager",
  permissions: [
    "sell",
    "void-line",
    "void-sale",
    "discount",
    "return-with-receipt",
    "return-blind",
    "shift",
    "x-report",
    "z-report",
    "manager-override",
  ],
  maxDiscountBp: 5000,
  pinHash,
};

export const operators: readonly Operator[] = [cashier, trainee, manager];

export const vat20: TaxGroup = { id: "tax-std", name: "Standard", rateBp: 2000 };
export const vat77: TaxGroup = { id: "tax-ch", name: "Swiss", rateBp: 770 };

export const coffee: Product = {
  id: "p-coffee",
  name: "Coffee beans 1kg",
  barcodes: ["4000000000017"],
  price: 1250,
  taxGroupId: vat20.id,
  active: true,
};
export const mug: Product = {
  id: "p-mug",
  name: "Mug",
  barcodes: [],
  price: 799,
  taxGroupId: vat20.id,
  active: true,
};
export const retired: Product = { ...mug, id: "p-retired", name: "Old mug", active: false };

export const cash: TenderType = { id: "t-cash", name: "Cash", kind: "cash" };
export const card: TenderType = { id: "t-card", name: "Card", kind: "card" };
export const giftCard: TenderType = { id: "t-gift", name: "Gift card", kind: "gift-card" };

/** A register driven through real commands and the real fold; events kept in order. */
export class TestRegister {
  state: RegisterState = INITIAL_REGISTER_STATE;
  readonly events: PosEvent[] = [];
  now = 1_700_000_000_000;
  idCounter = 0;
  readonly context: Omit<CommandContext, "now" | "newId">;

  constructor(overrides: Partial<Omit<CommandContext, "now" | "newId">> = {}) {
    this.context = {
      registerId: "R1",
      storeId: "S1",
      operator: cashier,
      online: true,
      pricesIncludeTax: false,
      findOperator: (id) => operators.find((operator) => operator.id === id),
      ...overrides,
    };
  }

  run(
    command: RegisterCommand,
    overrides: Partial<Omit<CommandContext, "now" | "newId">> = {},
  ): CommandResult {
    this.now += 1000;
    const prefix = overrides.registerId ?? this.context.registerId;
    const result = executeCommand(this.state, command, {
      ...this.context,
      ...overrides,
      now: this.now,
      newId: () => `${prefix}-id-${++this.idCounter}`,
    });
    if (result.ok) {
      for (const event of result.events) {
        this.state = apply(this.state, event);
        this.events.push(event);
      }
    }
    return result;
  }

  /** Runs a command that must succeed; returns its events. */
  ok(
    command: RegisterCommand,
    overrides: Partial<Omit<CommandContext, "now" | "newId">> = {},
  ): readonly PosEvent[] {
    const result = this.run(command, overrides);
    if (!result.ok)
      throw new Error(`${command.type} refused: ${result.error.code} ${result.error.message}`);
    return result.events;
  }

  /** Runs a command that must be refused; returns the error code. */
  refused(
    command: RegisterCommand,
    overrides: Partial<Omit<CommandContext, "now" | "newId">> = {},
  ): string {
    const result = this.run(command, overrides);
    if (result.ok) throw new Error(`${command.type} unexpectedly accepted`);
    return result.error.code;
  }

  lineId(index: number): string {
    const line = this.state.openSale?.lines[index];
    if (!line) throw new Error(`no line ${index}`);
    return line.lineId;
  }
}
