import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ChannelProjection, type PosEvent } from "../../domain/index.ts";
import { actionArb, products, propertyRuns, Session } from "./domain-arbitraries.ts";

const initialStock = Object.fromEntries(products.map((product, i) => [product.id, 100 * (i + 1)]));

function registerLog(
  registerId: string,
  actions: readonly Parameters<Session["step"]>[0][],
): PosEvent[] {
  const session = new Session(registerId, registerId === "R2");
  for (const action of actions) session.step(action);
  session.settle();
  return session.register.events;
}

/** Merges logs following `picks`, keeping each register's order; the rest is appended. */
function interleave(logs: readonly PosEvent[][], picks: readonly number[]): PosEvent[] {
  const cursors = logs.map(() => 0);
  const merged: PosEvent[] = [];
  for (const pick of picks) {
    const r = pick % logs.length;
    const event = logs[r]?.[cursors[r] ?? 0];
    if (event !== undefined) {
      merged.push(event);
      cursors[r] = (cursors[r] ?? 0) + 1;
    }
  }
  logs.forEach((log, r) => {
    merged.push(...log.slice(cursors[r]));
  });
  return merged;
}

/** Re-delivers some events again later (never before their first delivery). */
function withDuplicates(
  events: readonly PosEvent[],
  dups: readonly [number, number][],
): PosEvent[] {
  const result = [...events];
  for (const [from, gap] of dups) {
    if (result.length === 0) break;
    const index = from % result.length;
    const at = Math.min(result.length, index + 1 + gap);
    result.splice(at, 0, result[index]!);
  }
  return result;
}

const logsArb = fc
  .array(fc.array(actionArb, { maxLength: 50, size: "max" }), { minLength: 2, maxLength: 3 })
  .map((perRegister) => perRegister.map((actions, i) => registerLog(`R${i + 1}`, actions)));

describe("channel projection (property)", () => {
  it("any interleaving of registers, with re-delivered events, gives the same projection", () => {
    fc.assert(
      fc.property(
        logsArb,
        fc.array(fc.nat(2), { maxLength: 300 }),
        fc.array(fc.tuple(fc.nat(), fc.nat(20)), { maxLength: 20 }),
        (logs, picks, dups) => {
          const reference = new ChannelProjection(initialStock);
          for (const log of logs) reference.ingestAll(log);

          const shuffled = new ChannelProjection(initialStock);
          const delivered = withDuplicates(interleave(logs, picks), dups);
          const fresh = shuffled.ingestAll(delivered);

          const total = logs.reduce((sum, log) => sum + log.length, 0);
          expect(fresh).toBe(total);
          expect(shuffled.snapshot()).toEqual(reference.snapshot());
          expect(shuffled.ingestAll(delivered)).toBe(0);
          expect(shuffled.snapshot()).toEqual(reference.snapshot());

          for (const entry of reference.journal()) {
            expect(shuffled.completedSale(entry.receiptNumber)).toEqual(
              reference.completedSale(entry.receiptNumber),
            );
          }

          const journal = reference.journal();
          const receipts = journal.map((entry) => entry.receiptNumber);
          expect(new Set(receipts).size).toBe(receipts.length);
          const completed = logs.flat().filter((event) => event.type === "SaleCompleted").length;
          expect(journal).toHaveLength(completed);
          for (const product of products) {
            const moved = journal
              .flatMap((entry) => entry.lines)
              .filter((line) => line.productId === product.id && !line.voided)
              .reduce(
                (sum, line) => sum + (line.kind === "sale" ? -line.quantity : line.quantity),
                0,
              );
            expect(reference.stockOnHand(product.id)).toBe((initialStock[product.id] ?? 0) + moved);
          }
          for (const report of reference.reports()) {
            const entries = journal.filter(
              (entry) => entry.registerId === report.registerId && entry.shiftId === report.shiftId,
            );
            expect(report.salesCount).toBe(entries.length);
            expect(report.net).toBe(entries.reduce((sum, entry) => sum + entry.total, 0));
            expect(report.byTender.reduce((sum, tender) => sum + tender.amount, 0)).toBe(
              report.net,
            );
          }
        },
      ),
      { numRuns: propertyRuns },
    );
  });
});
