import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { expect } from "vitest";
import type { ScheduleStep } from "../../src/simulator/partition-schedule.ts";
import type { SimulationReport } from "../../src/simulator/simulation-report.ts";
import { startServerProcess } from "../support/server-process.ts";

/** The CI schedule: a cut and heal, one register restart, one server kill and restart. */
export const CI_SCHEDULE: readonly ScheduleStep[] = [
  { at: 300, action: "cut", register: "R1" },
  { at: 1_200, action: "kill-register", register: "R2" },
  { at: 1_800, action: "heal", register: "R1" },
  { at: 2_000, action: "restart-register", register: "R2" },
  { at: 2_600, action: "kill-server" },
  { at: 3_600, action: "restart-server" },
];

type JournalRow = {
  readonly receiptNumber: string;
  readonly saleId: string;
  readonly registerId: string;
};

/**
 * Starts the simulated server again from its kept data directory, reads its journal with its own
 * admin token, and checks the report against it: every sale the report counts is there once.
 */
export async function checkReportAgainstJournal(
  report: SimulationReport,
  serverDir: string,
): Promise<void> {
  const server = await startServerProcess({
    dataDir: serverDir,
    env: { POS_ADMIN_TOKEN: "", POS_LOG_LEVEL: "warn" },
  });
  try {
    const token = (await readFile(join(serverDir, "admin-token"), "utf8")).trim();
    const response = await fetch(`${server.url}/api/journal`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(200);
    const { sales } = (await response.json()) as { sales: JournalRow[] };
    const receipts = sales.map((sale) => sale.receiptNumber);
    expect(new Set(receipts).size).toBe(receipts.length);
    expect(new Set(sales.map((sale) => sale.saleId)).size).toBe(sales.length);
    expect(sales.length).toBe(report.salesMade);
    expect(report.journalSales).toBe(sales.length);
    for (const register of report.perRegister) {
      expect(sales.filter((sale) => sale.registerId === register.registerId).length).toBe(
        register.salesMade,
      );
      for (const receipt of receipts.filter((r) => r.includes(`-${register.registerId}-`))) {
        expect(receipt).toMatch(new RegExp(`^S1-${register.registerId}-\\d+$`));
      }
    }
  } finally {
    await server.kill("SIGKILL");
  }
}

/** What a clean CI run must report. */
export function expectCleanReport(report: SimulationReport, registers = 2): void {
  expect(report.seed).toBe(7);
  expect(report.registers).toBe(registers);
  expect(report.scheduleSteps).toBe(CI_SCHEDULE.length);
  expect(report.salesPlanned).toBe(10);
  expect(report.salesMade + report.salesAbandoned).toBe(10);
  expect(report.salesAbandoned).toBe(0);
  expect(report.lost).toEqual([]);
  expect(report.duplicated).toEqual([]);
  expect(report.receiptCollisions).toEqual([]);
  expect(report.unexpected).toEqual([]);
  expect(report.converged).toBe(true);
  expect(report.headsMatch).toBe(true);
  expect(report.eventsUploaded).toBe(report.eventsWritten);
  expect(report.ok).toBe(true);
  const r2 = report.perRegister.find((r) => r.registerId === "R2");
  expect(r2?.restarts).toBe(1);
  // A cut and a server kill under way of sales: registers switched offline and came back.
  const switches = report.perRegister.reduce((sum, register) => sum + register.modeChanges, 0);
  expect(switches).toBeGreaterThanOrEqual(2);
  for (const register of report.perRegister) expect(register.mode).toBe("online");
}
