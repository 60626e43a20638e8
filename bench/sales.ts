import type { CommandContext } from "../domain/command-context.ts";
import type { PosEvent } from "../domain/events.ts";
import { apply } from "../domain/fold.ts";
import { executeCommand, type RegisterCommand } from "../domain/register-command.ts";
import { INITIAL_REGISTER_STATE, type RegisterState } from "../domain/register-state.ts";
import { BENCH_STORE_ID, CASH, CASHIER, productAt, STANDARD_TAX } from "./catalog.ts";

/**
 * Realistic offline sales, produced by the domain commands themselves: each sale is start, six
 * scanned lines, one cash payment and completion, i.e. nine events in nine commands.
 */

export const LINES_PER_SALE = 6;

/** The catalog the sales pick their products from, unless a figure says otherwise. */
export const SALES_CATALOG_SIZE = 100_000;

/**
 * A deterministic id as long as the random UUIDs a real register stamps on sales, lines and
 * events (36 characters): event sizes, and so sync and parsing costs, stay those of a real log.
 */
export function uuidShaped(registerId: string, n: number): string {
  let hash = 2_166_136_261;
  for (const char of `${registerId}:${n}`) hash = Math.imul(hash ^ char.charCodeAt(0), 16_777_619);
  const mixed = (hash >>> 0).toString(16).padStart(8, "0");
  const serial = n.toString(16).padStart(12, "0");
  return `${mixed}-${serial.slice(0, 4)}-4${serial.slice(4, 7)}-8${serial.slice(7, 10)}-${mixed}${serial.slice(10, 12)}00`;
}

/** A register's command loop without I/O: keeps the folded state and stamps new events. */
export class BenchRegister {
  readonly registerId: string;
  #state: RegisterState = INITIAL_REGISTER_STATE;
  #ids = 0;
  #now: number;

  constructor(registerId: string, startAt = 1_714_550_400_000) {
    this.registerId = registerId;
    this.#now = startAt;
  }

  get state(): RegisterState {
    return this.#state;
  }

  /** Runs one command; throws when the domain refuses it (a benchmark must not sell wrongly). */
  run(command: RegisterCommand): readonly PosEvent[] {
    this.#now += 1_000;
    const context: CommandContext = {
      registerId: this.registerId,
      storeId: BENCH_STORE_ID,
      now: this.#now,
      newId: () => uuidShaped(this.registerId, ++this.#ids),
      operator: CASHIER,
      online: false,
      pricesIncludeTax: true,
      findOperator: (id) => (id === CASHIER.id ? CASHIER : undefined),
    };
    const result = executeCommand(this.#state, command, context);
    if (!result.ok) throw result.error;
    for (const event of result.events) this.#state = apply(this.#state, event);
    return result.events;
  }

  /** One whole sale, returned as the events of each command in order. */
  sell(saleNumber: number, catalogSize: number): (readonly PosEvent[])[] {
    const commands: (readonly PosEvent[])[] = [this.run({ type: "startSale" })];
    for (let line = 0; line < LINES_PER_SALE; line++) {
      const i = (saleNumber * 7919 + line * 104_729) % catalogSize;
      const product = productAt(i);
      commands.push(
        this.run({
          type: "addLine",
          product,
          taxGroup: STANDARD_TAX,
          quantity: 1 + (line % 3),
          barcode: product.barcodes[0] ?? null,
        }),
      );
    }
    const due = this.#state.openSale?.amountDue ?? 0;
    commands.push(this.run({ type: "addPayment", tender: CASH, amount: due }));
    commands.push(this.run({ type: "completeSale" }));
    return commands;
  }
}

/** `sales` sales of one register, as per-command event batches (one Automerge change each). */
export function offlineSales(
  registerId: string,
  sales: number,
  catalogSize = SALES_CATALOG_SIZE,
): (readonly PosEvent[])[] {
  const register = new BenchRegister(registerId);
  const batches: (readonly PosEvent[])[] = [];
  for (let n = 0; n < sales; n++) batches.push(...register.sell(n, catalogSize));
  return batches;
}
