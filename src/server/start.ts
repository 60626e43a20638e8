import { ConfigError, describeServerConfig, loadServerConfig } from "./config.ts";
import { createLogger, startRetailServer } from "./main.ts";

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
