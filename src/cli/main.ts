import { nodeDependencies, runPosCommand } from "./pos-command.ts";

/** The `pos` command's composition root: `npm run pos -- distribute`, or `pos` once linked. */
process.exitCode = await runPosCommand(process.argv.slice(2), nodeDependencies);
