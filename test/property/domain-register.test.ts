import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fold, type PosEvent, parseReceiptNumber, type RegisterState } from "../../domain/index.ts";
import { actionArb, propertyRuns, Session } from "./domain-arbitraries.ts";

function checkState(state: RegisterState): void {
  const sale = state.openSale;
  if (sale !== null) {
    expect(sale.change).toBeGreaterThanOrEqual(0);
    const total = sale.totals.total;
    const cashPaid = sale.payments
      .filter((p) => p.tenderKind === "cash")
      .reduce((s, p) => s + p.amount, 0);
    const otherPaid = sale.paid - cashPaid;
    if (total >= 0) {
      // paid never exceeds what is due, except by cash given back as change
      expect(otherPaid).toBeLessThanOrEqual(total);
      expect(sale.paid - sale.change).toBeLessThanOrEqual(total);
      expect(sale.change).toBeLessThanOrEqual(Math.max(0, cashPaid));
      expect(sale.payments.every((p) => p.amount > 0)).toBe(true);
    } else {
      expect(sale.paid).toBeGreaterThanOrEqual(total);
      expect(sale.change).toBe(0);
      expect(sale.payments.every((p) => p.amount < 0)).toBe(true);
    }
    let gross = 0;
    let discount = 0;
    let tax = 0;
    let lineTotal = 0;
    for (const line of sale.lines) {
      expect(line.quantity).toBeGreaterThan(0);
      expect(Number.isSafeInteger(line.quantity)).toBe(true);
      if (line.voided) {
        expect(line.amounts).toEqual({
          gross: 0,
          lineDiscount: 0,
          saleDiscount: 0,
          amount: 0,
          tax: 0,
          total: 0,
        });
        continue;
      }
      const sign = line.kind === "return" ? -1 : 1;
      expect(line.amounts.gross).toBe(sign * line.unitPrice * line.quantity);
      expect(line.amounts.lineDiscount).toBeGreaterThanOrEqual(0);
      expect(line.amounts.saleDiscount).toBeGreaterThanOrEqual(0);
      if (line.kind === "sale") expect(line.amounts.amount).toBeGreaterThanOrEqual(0);
      gross += line.amounts.gross;
      discount += line.amounts.lineDiscount + line.amounts.saleDiscount;
      tax += line.amounts.tax;
      lineTotal += line.amounts.total;
    }
    expect(sale.totals).toMatchObject({ gross, discount, tax, total: lineTotal });
  }
  for (const completed of Object.values(state.completedSales)) {
    for (const product of Object.values(completed.products)) {
      expect(product.returnedQuantity).toBeGreaterThanOrEqual(0);
      expect(product.returnedQuantity).toBeLessThanOrEqual(product.quantity);
    }
  }
}

function checkLog(events: readonly PosEvent[]): void {
  expect(events.map((event) => event.seq)).toEqual(events.map((_, i) => i + 1));
  expect(new Set(events.map((event) => event.id)).size).toBe(events.length);
  const receipts = events.flatMap((event) =>
    event.type === "SaleStarted" ? [event.receiptNumber] : [],
  );
  expect(new Set(receipts).size).toBe(receipts.length);
  expect(receipts.map((receipt) => parseReceiptNumber(receipt)?.sequence)).toEqual(
    receipts.map((_, i) => i + 1),
  );
  for (const event of events) {
    if (event.type === "SaleCompleted") expect(event.changeDue).toBeGreaterThanOrEqual(0);
  }
}

describe("register command sequences (property)", () => {
  it("no sequence of accepted commands produces an invalid state; fold replays it exactly", () => {
    fc.assert(
      fc.property(
        fc.array(actionArb, { maxLength: 120, size: "max" }),
        fc.boolean(),
        (actions, pricesIncludeTax) => {
          const session = new Session("R1", pricesIncludeTax);
          for (const action of actions) {
            const before = session.register.events.length;
            const { accepted } = session.step(action);
            if (!accepted) expect(session.register.events.length).toBe(before);
            checkState(session.register.state);
          }
          const { events, state } = session.register;
          checkLog(events);
          expect(state.lastSeq).toBe(events.length);
          expect(fold(events)).toEqual(state);
          expect(fold(JSON.parse(JSON.stringify(events)) as PosEvent[])).toEqual(state);
          expect(fold(events)).toEqual(fold(events));
        },
      ),
      { numRuns: propertyRuns },
    );
  });

  it("a restart mid-way (fold of a prefix) continues with the same sequence and receipts", () => {
    fc.assert(
      fc.property(
        fc.array(actionArb, { maxLength: 60, size: "max" }),
        fc.array(actionArb, { maxLength: 60, size: "max" }),
        (first, second) => {
          const session = new Session();
          for (const action of first) session.step(action);
          const restarted = new Session();
          restarted.register.state = fold(
            JSON.parse(JSON.stringify(session.register.events)) as PosEvent[],
          );
          restarted.register.events.push(...session.register.events);
          restarted.register.idCounter = session.register.idCounter;
          restarted.register.now = session.register.now;
          restarted.operator = session.operator;
          restarted.online = session.online;
          for (const action of second) {
            session.step(action);
            restarted.step(action);
          }
          expect(restarted.register.state).toEqual(session.register.state);
          checkLog(restarted.register.events);
        },
      ),
      { numRuns: propertyRuns },
    );
  });
});
