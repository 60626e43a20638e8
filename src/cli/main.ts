import { addCompareCommand } from "./compare-command.ts";
import { addMasterDataCommands } from "./master-data-commands.ts";
import { nodeDependencies, runPosCommand } from "./pos-command.ts";
import { runSimulateCommand, simulateNodeDependencies } from "./simulate-command.ts";

// `pos simulate` exits explicitly: reconnect timers of the closed registers' sockets outlive the run.
if (process.argv[2] === "simulate") {
  process.exit(await runSimulateCommand(process.argv.slice(2), simulateNodeDependencies));
}

/** The `pos` command's composition root: `npm run pos -- distribute`, or `pos` once linked. */
process.exitCode = await runPosCommand(process.argv.slice(2), nodeDependencies, [
  addCompareCommand,
  addMasterDataCommands,
]);
