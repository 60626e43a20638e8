import { DomainError } from "./errors.ts";
import type { PosEvent } from "./events.ts";
import { apply } from "./fold.ts";
import type { TenderKind } from "./master-data.ts";
import type { Money } from "./money.ts";
import {
  type CompletedSale,
  INITIAL_REGISTER_STATE,
  type OpenSale,
  type RegisterState,
  type SaleLineKind,
} from "./register-state.ts";

/** A line of a completed sale as the channel database keeps it. */
export type JournalLine = {
  readonly lineId: string;
  readonly kind: SaleLineKind;
  readonly productId: string;
  readonly name: string;
  readonly quantity: number;
  readonly unitPrice: Money;
  readonly voided: boolean;
  /** Line discount plus its share of the transaction discount. */
  readonly discount: Money;
  readonly tax: Money;
  /** What the customer paid for the line (negative for a return). */
  readonly total: Money;
  readonly originalReceipt: string | null;
};

export type JournalPayment = {
  readonly paymentId: string;
  readonly tenderTypeId: string;
  readonly tenderKind: TenderKind;
  readonly amount: Money;
  readonly reference: string | null;
};

/** One completed sale in the sales journal. */
export type JournalEntry = {
  readonly receiptNumber: string;
  readonly saleId: string;
  readonly registerId: string;
  readonly storeId: string;
  readonly operatorId: string;
  readonly shiftId: string | null;
  readonly customerId: string | null;
  readonly lines: readonly JournalLine[];
  readonly payments: readonly JournalPayment[];
  readonly total: Money;
  readonly tax: Money;
  readonly discount: Money;
  readonly changeDue: Money;
  readonly completedAt: number;
};

/** Takings of one tender type in a shift; cash is net of change given. */
export type TenderTakings = {
  readonly tenderTypeId: string;
  readonly tenderKind: TenderKind;
  readonly amount: Money;
};

/**
 * The X report of one register's shift (sales with no shift are reported under `shiftId: null`).
 * A Z report is the same figures for a closed shift.
 */
export type ShiftReport = {
  readonly registerId: string;
  readonly shiftId: string | null;
  readonly status: "open" | "closed";
  readonly openedBy: string | null;
  readonly openedAt: number | null;
  readonly closedAt: number | null;
  readonly openingFloat: Money;
  /** Completed sales (including those with returns). */
  readonly salesCount: number;
  /** Sum of sale line totals (tax included), after discounts. */
  readonly gross: Money;
  /** Sum of return line refunds, as a positive amount. */
  readonly returns: Money;
  /** Units taken back. */
  readonly returnedUnits: number;
  readonly discounts: Money;
  readonly tax: Money;
  /** gross - returns: what the shift took in. */
  readonly net: Money;
  /** By tender type id, sorted by id. */
  readonly byTender: readonly TenderTakings[];
  readonly voidedSales: number;
  /** Opening float plus cash taken minus change and cash refunds. */
  readonly cashExpected: Money;
  /** Last cash declaration, null when none was made. */
  readonly cashDeclared: Money | null;
  /** cashDeclared - cashExpected, null when no declaration. */
  readonly cashDifference: Money | null;
};

/** Everything the projection holds, in a deterministic order: what replicas are compared on. */
export type ChannelSnapshot = {
  readonly journal: readonly JournalEntry[];
  /** Stock on hand by product id, keys sorted. */
  readonly stock: Readonly<Record<string, number>>;
  readonly reports: readonly ShiftReport[];
};

type MutableReport = {
  registerId: string;
  shiftId: string | null;
  status: "open" | "closed";
  openedBy: string | null;
  openedAt: number | null;
  closedAt: number | null;
  openingFloat: Money;
  salesCount: number;
  gross: Money;
  returns: Money;
  returnedUnits: number;
  discounts: Money;
  tax: Money;
  tenders: Map<string, { tenderKind: TenderKind; amount: Money }>;
  voidedSales: number;
  cashDeclared: Money | null;
};

/**
 * What the retail server builds from every register's events: the sales journal, stock on hand
 * and the X/Z reports.
 *
 * Contract: events are ingested idempotently by event id (the same event twice changes nothing);
 * the events of one register must arrive in their `seq` order, while registers may interleave
 * freely. Every figure is a sum kept per register, and every listing is sorted, so any
 * interleaving of the same events gives an equal snapshot.
 *
 * Stock moves when a sale completes: sold units leave stock, returned units come back.
 */
export class ChannelProjection {
  readonly #seen = new Set<string>();
  readonly #registers = new Map<string, RegisterState>();
  readonly #journal = new Map<string, JournalEntry>();
  readonly #completed = new Map<string, CompletedSale>();
  /** receipt -> product -> units returned, from any register, in any order. */
  readonly #returned = new Map<string, Map<string, number>>();
  readonly #stock = new Map<string, number>();
  readonly #reports = new Map<string, MutableReport>();

  /** @param initialStock stock on hand before any of the ingested sales, by product id. */
  constructor(initialStock: Readonly<Record<string, number>> = {}) {
    for (const [productId, units] of Object.entries(initialStock)) {
      this.#stock.set(productId, units);
    }
  }

  /** Number of distinct events ingested. */
  get eventCount(): number {
    return this.#seen.size;
  }

  /** Ingests one event; returns false (and changes nothing) when it was already ingested. */
  ingest(event: PosEvent): boolean {
    if (this.#seen.has(event.id)) return false;
    this.#seen.add(event.id);
    const before = this.#registers.get(event.registerId) ?? INITIAL_REGISTER_STATE;
    const after = apply(before, event);
    // The channel keeps completed sales itself (#completed, with returns in #returned), so the
    // register state it folds on drops them: carried along, they would be copied at every
    // completion, work that grows with every sale the register made since the server started.
    this.#registers.set(
      event.registerId,
      after.completedSales === INITIAL_REGISTER_STATE.completedSales
        ? after
        : { ...after, completedSales: INITIAL_REGISTER_STATE.completedSales },
    );

    switch (event.type) {
      case "SaleCompleted": {
        const sale = before.openSale;
        if (sale?.saleId === event.saleId) {
          this.#recordSale(event.registerId, sale, event.changeDue, event.at);
          const completed = after.completedSales[sale.receiptNumber];
          if (completed !== undefined && completed.saleId === sale.saleId) {
            this.#completed.set(sale.receiptNumber, completed);
          }
        }
        break;
      }
      case "SaleVoided":
        if (before.openSale?.saleId === event.saleId) {
          this.#report(event.registerId, before.openSale.shiftId).voidedSales += 1;
        }
        break;
      case "ShiftOpened": {
        const report = this.#report(event.registerId, event.shiftId);
        report.openedBy = event.operatorId;
        report.openedAt = event.at;
        report.openingFloat = event.openingFloat;
        break;
      }
      case "ShiftClosed": {
        const report = this.#report(event.registerId, event.shiftId);
        report.status = "closed";
        report.closedAt = event.at;
        break;
      }
      case "CashDeclared":
        this.#report(event.registerId, event.shiftId).cashDeclared = event.amount;
        break;
      default:
        break;
    }
    return true;
  }

  /** Ingests events in order; returns how many were new. */
  ingestAll(events: Iterable<PosEvent>): number {
    let added = 0;
    for (const event of events) if (this.ingest(event)) added += 1;
    return added;
  }

  /** Completed sales, ordered by completion time, then register, then receipt number. */
  journal(): JournalEntry[] {
    return [...this.#journal.values()].sort(
      (a, b) =>
        a.completedAt - b.completedAt ||
        compareText(a.registerId, b.registerId) ||
        compareText(a.receiptNumber, b.receiptNumber),
    );
  }

  /** The journal entry of one receipt. */
  journalEntry(receiptNumber: string): JournalEntry | undefined {
    return this.#journal.get(receiptNumber);
  }

  /**
   * A completed sale as a return with receipt needs it, with units returned on any register:
   * what the server answers to a register's online receipt lookup.
   */
  completedSale(receiptNumber: string): CompletedSale | undefined {
    const sale = this.#completed.get(receiptNumber);
    if (sale === undefined) return undefined;
    const returned = this.#returned.get(receiptNumber);
    const products: Record<string, CompletedSale["products"][string]> = {};
    for (const [productId, product] of Object.entries(sale.products)) {
      products[productId] = { ...product, returnedQuantity: returned?.get(productId) ?? 0 };
    }
    return { ...sale, products };
  }

  /** Stock on hand of one product (0 when never stocked). */
  stockOnHand(productId: string): number {
    return this.#stock.get(productId) ?? 0;
  }

  /** Stock on hand of every product known, keys sorted. */
  stock(): Record<string, number> {
    const result: Record<string, number> = {};
    for (const key of [...this.#stock.keys()].sort(compareText)) {
      result[key] = this.#stock.get(key) ?? 0;
    }
    return result;
  }

  /** The X report of a register's shift (null: sales made outside any shift). */
  xReport(registerId: string, shiftId: string | null): ShiftReport {
    const report = this.#reports.get(reportKey(registerId, shiftId));
    return freezeReport(report ?? emptyReport(registerId, shiftId));
  }

  /** The Z report of a closed shift; refused while the shift is still open or unknown. */
  zReport(
    registerId: string,
    shiftId: string,
  ): { ok: true; report: ShiftReport } | { ok: false; error: DomainError } {
    const report = this.#reports.get(reportKey(registerId, shiftId));
    if (report === undefined || report.status !== "closed") {
      return {
        ok: false,
        error: new DomainError(
          "SHIFT_NOT_CLOSED",
          "The Z report is only available once the shift is closed. Close the shift on the register, or print an X report instead.",
        ),
      };
    }
    return { ok: true, report: freezeReport(report) };
  }

  /** Every report, sorted by register, then shift id (the no-shift report last). */
  reports(): ShiftReport[] {
    return [...this.#reports.values()]
      .sort(
        (a, b) =>
          compareText(a.registerId, b.registerId) ||
          compareText(reportKey(a.registerId, a.shiftId), reportKey(b.registerId, b.shiftId)),
      )
      .map(freezeReport);
  }

  /** The whole projection in a deterministic shape, for comparison between replicas. */
  snapshot(): ChannelSnapshot {
    return { journal: this.journal(), stock: this.stock(), reports: this.reports() };
  }

  #report(registerId: string, shiftId: string | null): MutableReport {
    const key = reportKey(registerId, shiftId);
    let report = this.#reports.get(key);
    if (report === undefined) {
      report = emptyReport(registerId, shiftId);
      this.#reports.set(key, report);
    }
    return report;
  }

  #recordSale(registerId: string, sale: OpenSale, changeDue: Money, completedAt: number): void {
    const lines: JournalLine[] = sale.lines.map((line) => ({
      lineId: line.lineId,
      kind: line.kind,
      productId: line.productId,
      name: line.name,
      quantity: line.quantity,
      unitPrice: line.unitPrice,
      voided: line.voided,
      discount: line.amounts.lineDiscount + line.amounts.saleDiscount,
      tax: line.amounts.tax,
      total: line.amounts.total,
      originalReceipt: line.originalReceipt,
    }));
    const payments: JournalPayment[] = sale.payments.map((payment) => ({ ...payment }));
    this.#journal.set(sale.receiptNumber, {
      receiptNumber: sale.receiptNumber,
      saleId: sale.saleId,
      registerId,
      storeId: sale.storeId,
      operatorId: sale.operatorId,
      shiftId: sale.shiftId,
      customerId: sale.customer?.customerId ?? null,
      lines,
      payments,
      total: sale.totals.total,
      tax: sale.totals.tax,
      discount: sale.totals.discount,
      changeDue,
      completedAt,
    });

    const report = this.#report(registerId, sale.shiftId);
    report.salesCount += 1;
    report.tax += sale.totals.tax;
    report.discounts += sale.totals.discount;
    for (const line of sale.lines) {
      if (line.voided) continue;
      if (line.kind === "sale") {
        report.gross += line.amounts.total;
        this.#stock.set(line.productId, this.stockOnHand(line.productId) - line.quantity);
      } else {
        report.returns -= line.amounts.total;
        report.returnedUnits += line.quantity;
        this.#stock.set(line.productId, this.stockOnHand(line.productId) + line.quantity);
        if (line.originalReceipt !== null) {
          const byProduct = this.#returned.get(line.originalReceipt) ?? new Map<string, number>();
          byProduct.set(line.productId, (byProduct.get(line.productId) ?? 0) + line.quantity);
          this.#returned.set(line.originalReceipt, byProduct);
        }
      }
    }
    let lastCash: string | null = null;
    for (const payment of sale.payments) {
      const takings = report.tenders.get(payment.tenderTypeId) ?? {
        tenderKind: payment.tenderKind,
        amount: 0,
      };
      takings.amount += payment.amount;
      report.tenders.set(payment.tenderTypeId, takings);
      if (payment.tenderKind === "cash") lastCash = payment.tenderTypeId;
    }
    if (changeDue !== 0 && lastCash !== null) {
      const cash = report.tenders.get(lastCash);
      if (cash !== undefined) cash.amount -= changeDue;
    }
  }
}

function reportKey(registerId: string, shiftId: string | null): string {
  return JSON.stringify([registerId, shiftId]);
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function emptyReport(registerId: string, shiftId: string | null): MutableReport {
  return {
    registerId,
    shiftId,
    status: "open",
    openedBy: null,
    openedAt: null,
    closedAt: null,
    openingFloat: 0,
    salesCount: 0,
    gross: 0,
    returns: 0,
    returnedUnits: 0,
    discounts: 0,
    tax: 0,
    tenders: new Map(),
    voidedSales: 0,
    cashDeclared: null,
  };
}

function freezeReport(report: MutableReport): ShiftReport {
  const byTender = [...report.tenders.entries()]
    .sort(([a], [b]) => compareText(a, b))
    .map(([tenderTypeId, { tenderKind, amount }]) => ({ tenderTypeId, tenderKind, amount }));
  const cashTaken = byTender
    .filter((takings) => takings.tenderKind === "cash")
    .reduce((sum, takings) => sum + takings.amount, 0);
  const cashExpected = report.openingFloat + cashTaken;
  return {
    registerId: report.registerId,
    shiftId: report.shiftId,
    status: report.status,
    openedBy: report.openedBy,
    openedAt: report.openedAt,
    closedAt: report.closedAt,
    openingFloat: report.openingFloat,
    salesCount: report.salesCount,
    gross: report.gross,
    returns: report.returns,
    returnedUnits: report.returnedUnits,
    discounts: report.discounts,
    tax: report.tax,
    net: report.gross - report.returns,
    byTender,
    voidedSales: report.voidedSales,
    cashExpected,
    cashDeclared: report.cashDeclared,
    cashDifference: report.cashDeclared === null ? null : report.cashDeclared - cashExpected,
  };
}
