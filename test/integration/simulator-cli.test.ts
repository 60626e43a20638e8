import { spawn } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import type { SimulationReport } from "../../src/simulator/simulation-report.ts";
import { temporaryDirectory } from "../support/server-process.ts";
import { CI_SCHEDULE, checkReportAgainstJournal, expectCleanReport } from "./simulator-support.ts";

const ROOT = resolve(import.meta.dirname, "../..");

function pos(
  args: readonly string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [join(ROOT, "bin/pos.mjs"), ...args], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), 55_000);
    child.once("error", fail);
    child.once("exit", (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}

describe("pos simulate, through the real CLI", () => {
  it("runs a schedule file with a fixed seed and prints a JSON report the journal confirms", async () => {
    const dir = await temporaryDirectory("simulator-cli");
    const schedule = join(dir, "schedule.json");
    await writeFile(schedule, JSON.stringify(CI_SCHEDULE));
    const result = await pos([
      "simulate",
      "--registers",
      "4",
      "--sales",
      "10",
      "--duration",
      "4500",
      "--seed",
      "7",
      "--schedule",
      schedule,
      "--converge-timeout",
      "20000",
      "--keep-data",
      "--json",
    ]);
    expect(result.stderr).toContain("seed 7");
    expect(result.stderr).toContain("simulate: converging");
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as SimulationReport;
    expectCleanReport(report, 4);
    expect(report.dataDir).not.toBeNull();
    // R3 is switched to offline support and R4 comes from the demo store's extra registers.
    expect(report.perRegister.map((register) => register.registerId)).toEqual([
      "R1",
      "R2",
      "R3",
      "R4",
    ]);
    await checkReportAgainstJournal(report, join(report.dataDir ?? "", "server"));
  }, 60_000);

  it("refuses a bad schedule file with every problem and exit status 2", async () => {
    const dir = await temporaryDirectory("simulator-cli-bad");
    const schedule = join(dir, "schedule.json");
    await writeFile(
      schedule,
      JSON.stringify([
        { at: 0, action: "cut" },
        { at: 5, action: "cut", register: "R3" },
      ]),
    );
    const result = await pos(["simulate", "--registers", "2", "--schedule", schedule]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`The partition schedule ${schedule} cannot be used`);
    expect(result.stderr).toContain('step 1 (action "cut"), field "register"');
  }, 20_000);
});
