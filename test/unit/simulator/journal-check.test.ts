import { describe, expect, it } from "vitest";
import { stderrProgress } from "../../../src/cli/simulate-progress.ts";
import { checkJournal } from "../../../src/simulator/journal-check.ts";
import {
  formatSimulationReport,
  type SimulationReport,
} from "../../../src/simulator/simulation-report.ts";

const sale = (receipt: string, saleId: string, registerId = "R1") => ({
  registerId,
  saleId,
  receipt,
});
const row = (receiptNumber: string, saleId: string) => ({ receiptNumber, saleId });

describe("journal check", () => {
  it("finds nothing wrong when the journal holds exactly the sales made", () => {
    expect(
      checkJournal(
        [sale("S1-R1-1", "a"), sale("S1-R2-1", "b", "R2")],
        [row("S1-R2-1", "b"), row("S1-R1-1", "a")],
      ),
    ).toEqual({
      lost: [],
      duplicated: [],
      receiptCollisions: [],
      unexpected: [],
    });
  });

  it("reports lost, duplicated, colliding and unexpected receipts", () => {
    const result = checkJournal(
      [
        sale("S1-R1-1", "a"),
        sale("S1-R1-2", "b"),
        sale("S1-R1-3", "c"),
        sale("S1-R1-3", "d"),
        sale("S1-R1-4", "e"),
      ],
      [
        row("S1-R1-1", "a"),
        row("S1-R1-1", "a"),
        row("S1-R1-3", "d"),
        row("S1-R1-4", "x"),
        row("S1-R1-9", "z"),
        row("S1-R1-8", "z"),
      ],
    );
    expect(result.lost).toEqual(["S1-R1-2"]);
    expect(result.duplicated).toEqual(["S1-R1-1", "sale z as S1-R1-8 and S1-R1-9"]);
    expect(result.receiptCollisions).toEqual(["S1-R1-3", "S1-R1-4"]);
    expect(result.unexpected).toEqual(["S1-R1-8", "S1-R1-9"]);
  });
});

describe("report and progress output", () => {
  it("formats the summary and one row per register", () => {
    const report: SimulationReport = {
      seed: 7,
      dataDir: null,
      registers: 1,
      durationMs: 1_000,
      scheduleSteps: 2,
      salesPlanned: 3,
      salesMade: 3,
      salesAbandoned: 0,
      distributions: { made: 1, skipped: 0 },
      eventsWritten: 20,
      eventsUploaded: 20,
      journalSales: 3,
      lost: [],
      duplicated: [],
      receiptCollisions: [],
      unexpected: [],
      converged: true,
      convergeMs: 120,
      headsMatch: true,
      elapsedMs: 5_000,
      ok: true,
      perRegister: [
        {
          registerId: "R1",
          salesMade: 3,
          salesAbandoned: 0,
          lastSeq: 20,
          acceptedThroughSeq: 20,
          modeChanges: 2,
          restarts: 1,
          mode: "online",
          headsMatch: true,
        },
      ],
    };
    const text = formatSimulationReport(report);
    expect(text).toMatch(/^seed\s+7$/m);
    expect(text).toMatch(/^converged\s+yes, in 120 ms$/m);
    expect(text).toMatch(/^result\s+OK$/m);
    expect(text).toMatch(/^R1\s+3\s+0\s+20\s+20\s+online\s+2\s+1\s+match$/m);
    expect(
      formatSimulationReport({
        ...report,
        lost: ["S1-R1-2"],
        converged: false,
        convergeMs: null,
        ok: false,
      }),
    ).toMatch(/^lost\s+1 \(S1-R1-2\)$/m);
  });

  it("writes plain lines when stderr is not a terminal and a redrawn bar when it is", () => {
    const plain: string[] = [];
    const lines = stderrProgress((text) => plain.push(text), false, 10);
    lines.phase("running");
    lines.sale(5, 10);
    lines.sale(6, 10);
    lines.step(1_500, "cut R1");
    expect(plain).toEqual([
      "simulate: running\n",
      "simulate: 5/10 sales\n",
      "simulate: 1.5s cut R1\n",
    ]);
    const tty: string[] = [];
    const bar = stderrProgress((text) => tty.push(text), true, 4);
    bar.sale(2, 4);
    bar.finish();
    expect(tty[0]?.startsWith("\r\u001b[2K")).toBe(true);
    expect(tty[0]).toMatch(/\[#{12}\.{12}\] 2\/4 sales/);
    expect(tty.at(-1)).toBe("\n");
  });
});
