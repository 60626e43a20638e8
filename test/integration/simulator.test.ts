import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runSimulation } from "../../src/simulator/simulation.ts";
import { temporaryDirectory } from "../support/server-process.ts";
import { CI_SCHEDULE, checkReportAgainstJournal, expectCleanReport } from "./simulator-support.ts";

describe("pos simulate, programmatic entry point", () => {
  it("sells through a cut, a register restart and a server kill, and reports what the journal holds", async () => {
    const workDir = await temporaryDirectory("simulator-test");
    const phases: string[] = [];
    const steps: string[] = [];
    const report = await runSimulation({
      registers: 2,
      sales: 10,
      durationMs: 4_500,
      seed: 7,
      schedule: CI_SCHEDULE,
      convergeTimeoutMs: 20_000,
      workDir,
      progress: {
        phase: (name) => phases.push(name),
        step: (_at, description) => steps.push(description),
        sale: () => {},
      },
    });
    expect(phases).toEqual(["starting", "running", "converging", "checking", "stopping"]);
    for (const step of [
      "cut R1",
      "kill-register R2",
      "heal R1",
      "restart-register R2",
      "kill-server",
      "restart-server",
    ]) {
      expect(steps).toContain(step);
    }
    expect(report.dataDir).toBe(workDir);
    expectCleanReport(report);
    await checkReportAgainstJournal(report, join(workDir, "server"));
  }, 60_000);
});
