import { ConfigError, describeServerConfig, loadServerConfig } from "./config.ts";
import { DEMO_OPERATOR_PINS } from "./demo-store.ts";
import { createLogger, type RetailServer, startRetailServer } from "./main.ts";

/**
 * `npm start`: runs the retail server with the configuration from the environment, and stops it
 * cleanly on SIGINT/SIGTERM. `npm start -- --help` lists every setting.
 */

if (process.argv.includes("--help")) {
  console.log(`Retail server settings (environment variables):\n\n${describeServerConfig()}`);
  process.exit(0);
}

let config: ReturnType<typeof loadServerConfig>;
try {
  config = loadServerConfig(process.env);
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(2);
  }
  throw error;
}

const logger = createLogger(config);
const server = await startRetailServer(config, logger);
process.stdout.write(welcome(server));

/** What a person needs to sign in at once: where to go, who to sign in as, how to activate. */
function welcome(running: RetailServer): string {
  const lines = [
    "",
    `Retail server for store ${running.storeId} is running.`,
    `  Register app:  ${running.url}/`,
    `  Manager view:  ${running.url}/manager/`,
    "  Demo operators (operator ID / PIN):",
    ...Object.entries(DEMO_OPERATOR_PINS).map(
      ([id, pin]) => `    ${id} / ${pin}${id === "9001" ? "  (manager)" : "  (cashier)"}`,
    ),
  ];
  if (running.activationCodes.length > 0) {
    lines.push("  Activation codes (one-time, per register):");
    for (const { registerId, code, expiresAt } of running.activationCodes) {
      lines.push(`    ${registerId}: ${code}  (valid until ${new Date(expiresAt).toISOString()})`);
    }
  } else {
    lines.push("  Every register is activated; `npm run pos -- codes R1` makes a new code.");
  }
  if (running.adminTokenFile) lines.push(`  Back office admin token: ${running.adminTokenFile}`);
  return `${lines.join("\n")}\n\n`;
}

let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "stopping");
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, "error while stopping");
        process.exit(1);
      },
    );
  });
}
