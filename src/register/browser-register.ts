import type { RegisterCommands } from "../../replication/register/register-commands.ts";

/**
 * Creates the register session that runs in this browser (IndexedDB offline database,
 * connection controller, master data index). Not wired yet.
 */
export async function createBrowserRegister(): Promise<RegisterCommands> {
  throw new Error("The browser register is not wired yet.");
}
