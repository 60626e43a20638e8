import { describe, expect, it } from "vitest";
import {
  ConfigError,
  describeServerConfig,
  loadServerConfig,
  SERVER_CONFIG_TABLE,
} from "../../../src/server/config.ts";

describe("server configuration", () => {
  it("takes the table's defaults for unset and empty variables, frozen", () => {
    const config = loadServerConfig({ POS_LOG_LEVEL: "" });
    expect(config).toMatchObject({
      port: 8080,
      host: "0.0.0.0",
      dataDir: "./data",
      logLevel: "info",
      adminToken: "",
      distributionIntervalMs: 60_000,
      maxEventsPerSale: 1_000,
      maxStringLength: 1_000,
    });
    expect(Object.keys(config).sort()).toEqual(Object.keys(SERVER_CONFIG_TABLE).sort());
    expect(Object.isFrozen(config)).toBe(true);
  });

  it("reads each variable named in the table", () => {
    const config = loadServerConfig({
      PORT: "0",
      HOST: "127.0.0.1",
      POS_DATA_DIR: "/tmp/pos",
      POS_LOG_LEVEL: "silent",
      POS_ADMIN_TOKEN: "s3cret",
      POS_DISTRIBUTION_INTERVAL_MS: "5000",
      POS_MAX_MESSAGE_BYTES: "2048",
    });
    expect(config).toMatchObject({
      port: 0,
      host: "127.0.0.1",
      dataDir: "/tmp/pos",
      logLevel: "silent",
      adminToken: "s3cret",
      distributionIntervalMs: 5_000,
      maxMessageBytes: 2_048,
    });
  });

  it("lists every invalid variable with what it is for", () => {
    let caught: unknown;
    try {
      loadServerConfig({ PORT: "eighty", POS_LOG_LEVEL: "loud", POS_MAX_EVENTS_PER_SALE: "0" });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const error = caught as ConfigError;
    expect(error.code).toBe("POS_CONFIG_001");
    expect(error.issues).toHaveLength(3);
    expect(error.message).toMatch(/PORT="eighty"/);
    expect(error.message).toMatch(/POS_LOG_LEVEL="loud"/);
    expect(error.message).toMatch(/POS_MAX_EVENTS_PER_SALE="0"/);
    expect(error.cause).toBeDefined();
  });

  it("bounds the demo offline profile timings as the offline profile does, so a server never starts with a profile registers refuse", () => {
    expect(() => loadServerConfig({ POS_DEMO_RECONNECT_INTERVAL_MS: "500" })).toThrow(ConfigError);
    expect(() => loadServerConfig({ POS_DEMO_SWITCH_TIMEOUT_MS: "50" })).toThrow(ConfigError);
    expect(() => loadServerConfig({ POS_DEMO_SWITCH_TIMEOUT_MS: "120001" })).toThrow(
      /POS_DEMO_SWITCH_TIMEOUT_MS/,
    );
    expect(
      loadServerConfig({
        POS_DEMO_RECONNECT_INTERVAL_MS: "1000",
        POS_DEMO_SWITCH_TIMEOUT_MS: "100",
      }),
    ).toMatchObject({ demoReconnectIntervalMs: 1_000, demoSwitchTimeoutMs: 100 });
  });

  it("applies overrides and describes every setting", () => {
    expect(loadServerConfig({}, { port: 1234 }).port).toBe(1234);
    const help = describeServerConfig();
    for (const definition of Object.values(SERVER_CONFIG_TABLE)) {
      expect(help).toContain(definition.env);
    }
  });
});
