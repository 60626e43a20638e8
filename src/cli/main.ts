import { addCompareCommand } from "./compare-command.ts";
import { nodeDependencies, runPosCommand } from "./pos-command.ts";
import { runSimulateCommand, simulateNodeDependencies } from "./simulate-command.ts";

/** The `pos` command's composition root: `npm run pos -- distribute`, or `pos` once linked. */
process.exitCode =
  process.argv[2] === "simulate"
    ? await runSimulateCommand(process.argv.slice(2), simulateNodeDependencies)
    : await runPosCommand(process.argv.slice(2), nodeDependencies, [addCompareCommand]);
