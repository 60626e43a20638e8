import { randomInt } from "node:crypto";
import { readFile } from "node:fs/promises";
import { Command, InvalidArgumentError } from "commander";
import { PartitionScheduleError, parsePartitionSchedule } from "../simulator/partition-schedule.ts";
import {
  runSimulation,
  SIMULATED_REGISTER_IDS,
  SimulationError,
  type SimulationOptions,
} from "../simulator/simulation.ts";
import { formatSimulationReport, type SimulationReport } from "../simulator/simulation-report.ts";
import { stderrProgress } from "./simulate-progress.ts";

/**
 * `pos simulate`: partitions for testers. Starts a real retail server process and headless
 * registers, sells and distributes while applying a partition schedule, then heals, waits for
 * convergence and reports what the server journal holds against what the registers sold.
 * Exit status 1 when a sale was lost or duplicated, receipts collided or convergence failed.
 */

/** What the command needs from the outside; the composition root passes the real ones. */
export type SimulateCommandDependencies = {
  readonly readText: (path: string) => Promise<string>;
  readonly print: (text: string) => void;
  /** Writes to stderr as is (no newline added): progress and the seed. */
  readonly writeError: (text: string) => void;
  /** Whether stderr is a terminal: a redrawn progress bar, otherwise plain lines. */
  readonly errorIsTTY: boolean;
  readonly run: (options: SimulationOptions) => Promise<SimulationReport>;
  readonly randomSeed: () => number;
};

type SimulateOptions = {
  registers: number;
  sales: number;
  duration: number;
  seed?: number;
  schedule?: string;
  json?: boolean;
  keepData?: boolean;
  convergeTimeout: number;
};

function integer(min: number, max: number) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
      throw new InvalidArgumentError(`use a whole number from ${min} to ${max}.`);
    }
    return parsed;
  };
}

/** Builds the `simulate` command; its action sets `exitCode`. */
export function buildSimulateCommand(
  deps: SimulateCommandDependencies,
  result: { exitCode: number },
): Command {
  return new Command("simulate")
    .description(
      "Simulate network partitions: a real retail server and headless registers selling through cuts, kills and restarts, then a convergence check.",
    )
    .option(
      "--registers <n>",
      `registers to simulate: R1, R2, R3 (switched to offline support), then R4 ... R${SIMULATED_REGISTER_IDS.length}`,
      integer(1, SIMULATED_REGISTER_IDS.length),
      3,
    )
    .option("--sales <n>", "sales to ring up in all", integer(0, 100_000), 20)
    .option(
      "--duration <ms>",
      "how long sales and the schedule run",
      integer(1_000, 3_600_000),
      10_000,
    )
    .option(
      "--seed <n>",
      "seed of the schedule and sales (random when left out; printed)",
      integer(0, 2 ** 32 - 1),
    )
    .option("--schedule <file>", "a JSON partition schedule instead of a random one")
    .option("--json", "print the report as JSON")
    .option("--keep-data", "keep the server's and registers' data directories for inspection")
    .option(
      "--converge-timeout <ms>",
      "how long the registers and the server may take to converge after the final heal",
      integer(1_000, 3_600_000),
      30_000,
    )
    .action(async (options: SimulateOptions) => {
      const seed = options.seed ?? deps.randomSeed();
      let schedule: SimulationOptions["schedule"];
      if (options.schedule !== undefined) {
        let text: string;
        try {
          text = await deps.readText(options.schedule);
        } catch (cause) {
          throw new PartitionScheduleError(options.schedule, [`cannot be read: ${String(cause)}`], {
            cause,
          });
        }
        schedule = parsePartitionSchedule(text, {
          source: options.schedule,
          registerIds: SIMULATED_REGISTER_IDS.slice(0, options.registers),
        });
      }
      deps.writeError(
        `simulate: seed ${seed} (run again with --seed ${seed} for the same schedule and sales)\n`,
      );
      const progress = stderrProgress(deps.writeError, deps.errorIsTTY, options.sales);
      let report: SimulationReport;
      try {
        report = await deps.run({
          registers: options.registers,
          sales: options.sales,
          durationMs: options.duration,
          seed,
          convergeTimeoutMs: options.convergeTimeout,
          keepData: options.keepData === true,
          progress,
          ...(schedule ? { schedule } : {}),
        });
      } finally {
        progress.finish();
      }
      deps.print(options.json ? JSON.stringify(report, null, 2) : formatSimulationReport(report));
      result.exitCode = report.ok ? 0 : 1;
    });
}

/**
 * Runs `pos simulate <options>`; returns the exit code: 0 when the report is clean, 1 when it
 * found a problem, 2 when the simulation could not run (bad options, bad schedule, no server).
 */
export async function runSimulateCommand(
  argv: readonly string[],
  deps: SimulateCommandDependencies,
): Promise<number> {
  const result = { exitCode: 0 };
  const program = new Command("pos").exitOverride();
  program.addCommand(buildSimulateCommand(deps, result));
  program.configureOutput({
    writeOut: (text) => deps.print(text.trimEnd()),
    writeErr: (text) => deps.writeError(text),
  });
  for (const command of program.commands) command.exitOverride();
  try {
    await program.parseAsync([...argv], { from: "user" });
    return result.exitCode;
  } catch (error) {
    if (error instanceof PartitionScheduleError || error instanceof SimulationError) {
      deps.writeError(`${error.message}\n`);
      return 2;
    }
    if (error instanceof Error && "exitCode" in error && typeof error.exitCode === "number") {
      return error.exitCode === 0 ? 0 : 2;
    }
    deps.writeError(`simulate failed: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
}

/** The real dependencies. */
export const simulateNodeDependencies: SimulateCommandDependencies = {
  readText: (path) => readFile(path, "utf8"),
  print: (text) => console.log(text),
  writeError: (text) => process.stderr.write(text),
  errorIsTTY: process.stderr.isTTY === true,
  run: runSimulation,
  randomSeed: () => randomInt(0, 2 ** 31),
};
