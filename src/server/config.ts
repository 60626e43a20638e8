import { z } from "zod";
import {
  RECONNECT_INTERVAL_BOUNDS,
  SWITCH_TIMEOUT_BOUNDS,
} from "../../replication/connection/offline-profile.ts";
import { MAX_DEMO_EXTRA_REGISTERS } from "./demo-store.ts";

/**
 * The retail server's configuration: one declarative table, parsed once from the environment,
 * frozen and passed down. No other module reads `process.env`.
 *
 * Back office authentication is, for now, a single shared secret: `POS_ADMIN_TOKEN`, sent as
 * `Authorization: Bearer <token>` to every `/api/back-office/*` route. Leave it empty and the
 * server start generates a random one and prints it once.
 */

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const KIB = 1024;
const MIB = 1024 * KIB;

type EntryType = "port" | "integer" | "string" | "secret" | "log-level";

type ValueOf<T extends EntryType> = T extends "port" | "integer"
  ? number
  : T extends "log-level"
    ? LogLevel
    : string;

type Entry<T extends EntryType = EntryType> = {
  readonly type: T;
  readonly env: string;
  readonly default: ValueOf<T>;
  readonly help: string;
  /** Inclusive lower bound for integers. */
  readonly min?: number;
  /** Inclusive upper bound for integers. */
  readonly max?: number;
};

function entry<T extends EntryType>(definition: Entry<T>): Entry<T> {
  return definition;
}

/** Every setting: its type, environment variable, default and what it does. */
export const SERVER_CONFIG_TABLE = {
  port: entry({
    type: "port",
    env: "PORT",
    default: 8080,
    help: "TCP port for HTTP and WebSocket (0: any free port).",
  }),
  host: entry({
    type: "string",
    env: "HOST",
    default: "0.0.0.0",
    help: "Interface to listen on; 127.0.0.1 keeps the server on this machine.",
  }),
  dataDir: entry({
    type: "string",
    env: "POS_DATA_DIR",
    default: "./data",
    help: "Directory for documents, the device registry and imports.",
  }),
  logLevel: entry({
    type: "log-level",
    env: "POS_LOG_LEVEL",
    default: "info",
    help: `Log level: ${LOG_LEVELS.join(", ")}.`,
  }),
  adminToken: entry({
    type: "secret",
    env: "POS_ADMIN_TOKEN",
    default: "",
    help: "Bearer token for the back office API; empty: a random one is generated at start.",
  }),
  distributionIntervalMs: entry({
    type: "integer",
    env: "POS_DISTRIBUTION_INTERVAL_MS",
    default: 60_000,
    min: 0,
    help: "How often the distribution schedule sends master data changes to the data group (0: only on demand).",
  }),
  demoExtraRegisters: entry({
    type: "integer",
    env: "POS_DEMO_EXTRA_REGISTERS",
    default: 0,
    min: 0,
    max: MAX_DEMO_EXTRA_REGISTERS,
    help: "Extra offline-capable registers (R4, R5, ...) in the demo store, set when it is created: for simulations and tests with more registers.",
  }),
  demoSwitchTimeoutMs: entry({
    type: "integer",
    env: "POS_DEMO_SWITCH_TIMEOUT_MS",
    default: 5_000,
    min: SWITCH_TIMEOUT_BOUNDS.minMs,
    max: SWITCH_TIMEOUT_BOUNDS.maxMs,
    help: "Switch timeout of the demo store's offline profile, set when the demo store is created.",
  }),
  demoReconnectIntervalMs: entry({
    type: "integer",
    env: "POS_DEMO_RECONNECT_INTERVAL_MS",
    default: 60_000,
    min: RECONNECT_INTERVAL_BOUNDS.minMs,
    max: RECONNECT_INTERVAL_BOUNDS.maxMs,
    help: "Reconnect interval of the demo store's offline profile, set when the demo store is created.",
  }),
  activationCodeTtlMs: entry({
    type: "integer",
    env: "POS_ACTIVATION_CODE_TTL_MS",
    default: 15 * 60_000,
    min: 1_000,
    help: "How long a register activation code from the back office stays valid.",
  }),
  maxHttpBodyBytes: entry({
    type: "integer",
    env: "POS_MAX_HTTP_BODY_BYTES",
    default: 64 * KIB,
    min: 1 * KIB,
    help: "Largest JSON body accepted by the HTTP API (catalog import has its own limit).",
  }),
  maxImportBytes: entry({
    type: "integer",
    env: "POS_MAX_IMPORT_BYTES",
    default: 32 * MIB,
    min: 1 * KIB,
    help: "Largest catalog import file (CSV or JSON) accepted by the back office.",
  }),
  maxImportRows: entry({
    type: "integer",
    env: "POS_MAX_IMPORT_ROWS",
    default: 200_000,
    min: 1,
    help: "Most product rows one catalog import may contain.",
  }),
  maxMessageBytes: entry({
    type: "integer",
    env: "POS_MAX_MESSAGE_BYTES",
    default: 16 * MIB,
    min: 1 * KIB,
    help: "Largest WebSocket sync message accepted from a device.",
  }),
  maxDocumentBytes: entry({
    type: "integer",
    env: "POS_MAX_DOCUMENT_BYTES",
    default: 64 * MIB,
    min: 1 * KIB,
    help: "Largest document a device may make the server store.",
  }),
  maxEventsPerSale: entry({
    type: "integer",
    env: "POS_MAX_EVENTS_PER_SALE",
    default: 1_000,
    min: 1,
    help: "Most events one sale may hold; a longer sale from a device is refused.",
  }),
  maxStringLength: entry({
    type: "integer",
    env: "POS_MAX_STRING_LENGTH",
    default: 1_000,
    min: 16,
    help: "Longest text field accepted in events, imports and HTTP bodies.",
  }),
} as const;

type Table = typeof SERVER_CONFIG_TABLE;

/** The parsed, frozen configuration. */
export type ServerConfig = Readonly<{
  [K in keyof Table]: Table[K] extends Entry<infer T> ? ValueOf<T> : never;
}>;

/** An environment variable that did not parse. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  readonly code = "POS_CONFIG_001";
  readonly issues: readonly string[];

  constructor(issues: readonly string[], options?: { cause?: unknown }) {
    super(
      `The server configuration is invalid. Fix these settings:\n${issues.join("\n")}`,
      options,
    );
    this.issues = issues;
  }
}

function schemaFor(definition: Entry): z.ZodType<unknown> {
  const fromEnv = <S extends z.ZodType>(schema: S) =>
    z.preprocess((raw) => (raw === undefined || raw === "" ? definition.default : raw), schema);
  switch (definition.type) {
    case "port":
      return fromEnv(z.coerce.number().int().min(0).max(65_535));
    case "integer":
      return fromEnv(
        z.coerce
          .number()
          .int()
          .min(definition.min ?? 0)
          .max(definition.max ?? Number.MAX_SAFE_INTEGER),
      );
    case "log-level":
      return fromEnv(z.enum(LOG_LEVELS));
    case "string":
      return fromEnv(z.string().trim().min(1));
    case "secret":
      return z
        .string()
        .optional()
        .transform((raw) => raw ?? "");
  }
}

const configSchema = z.object(
  Object.fromEntries(
    Object.entries(SERVER_CONFIG_TABLE).map(([key, definition]) => [key, schemaFor(definition)]),
  ),
);

/**
 * Parses the configuration from an environment (pass `process.env` from the composition root;
 * tests pass a literal). Unset or empty variables take the table's default. Throws
 * {@link ConfigError} listing every invalid variable with its help text.
 *
 * @example
 * const config = loadServerConfig({ PORT: "0", HOST: "127.0.0.1" });
 */
export function loadServerConfig(
  env: Readonly<Record<string, string | undefined>>,
  overrides: Partial<ServerConfig> = {},
): ServerConfig {
  const input = Object.fromEntries(
    Object.entries(SERVER_CONFIG_TABLE).map(([key, definition]) => [key, env[definition.env]]),
  );
  const parsed = configSchema.safeParse(input);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => {
      const key = String(issue.path[0]) as keyof Table;
      const definition = SERVER_CONFIG_TABLE[key];
      return `${definition.env}=${JSON.stringify(env[definition.env])}: ${issue.message} (${definition.help})`;
    });
    throw new ConfigError(issues, { cause: parsed.error });
  }
  return Object.freeze({ ...(parsed.data as ServerConfig), ...overrides });
}

/** One line per setting, for `--help` output and the README. */
export function describeServerConfig(): string {
  return Object.values(SERVER_CONFIG_TABLE)
    .map((definition) => {
      const shown = definition.type === "secret" ? "(generated)" : String(definition.default);
      return `${definition.env.padEnd(30)} ${definition.type.padEnd(9)} default ${shown}\n    ${definition.help}`;
    })
    .join("\n");
}
