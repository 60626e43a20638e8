import type { SimulationReport } from "./simulation-report.ts";

/** A sale the simulator completed at a register, with the receipt number the register gave it. */
export type MadeSale = {
  readonly registerId: string;
  readonly saleId: string;
  readonly receipt: string;
};

/** The part of a `GET /api/journal` entry the check needs. */
export type JournalRow = { readonly receiptNumber: string; readonly saleId: string };

/** Compares the sales the simulator completed with the server's journal. */
export function checkJournal(
  made: readonly MadeSale[],
  journal: readonly JournalRow[],
): Pick<SimulationReport, "lost" | "duplicated" | "receiptCollisions" | "unexpected"> {
  const counts = new Map<string, number>();
  const saleReceipts = new Map<string, Set<string>>();
  for (const row of journal) {
    counts.set(row.receiptNumber, (counts.get(row.receiptNumber) ?? 0) + 1);
    const receipts = saleReceipts.get(row.saleId) ?? new Set<string>();
    receipts.add(row.receiptNumber);
    saleReceipts.set(row.saleId, receipts);
  }
  const duplicated = new Set<string>();
  for (const [receipt, count] of counts) if (count > 1) duplicated.add(receipt);
  for (const [saleId, receipts] of saleReceipts) {
    if (receipts.size > 1)
      duplicated.add(`sale ${saleId} as ${[...receipts].sort().join(" and ")}`);
  }
  const madeByReceipt = new Map<string, string>();
  const collisions = new Set<string>();
  for (const sale of made) {
    const other = madeByReceipt.get(sale.receipt);
    if (other !== undefined && other !== sale.saleId) collisions.add(sale.receipt);
    madeByReceipt.set(sale.receipt, sale.saleId);
  }
  for (const row of journal) {
    const saleId = madeByReceipt.get(row.receiptNumber);
    if (saleId !== undefined && saleId !== row.saleId) collisions.add(row.receiptNumber);
  }
  const journalled = new Set(journal.map((row) => row.receiptNumber));
  return {
    lost: [...madeByReceipt.keys()].filter((receipt) => !journalled.has(receipt)).sort(),
    duplicated: [...duplicated].sort(),
    receiptCollisions: [...collisions].sort(),
    unexpected: [...journalled].filter((receipt) => !madeByReceipt.has(receipt)).sort(),
  };
}
