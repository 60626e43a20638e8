import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { join, resolve } from "node:path";
import { serve } from "@hono/node-server";
import pino, { type Logger } from "pino";
import type { Product } from "../../domain/master-data.ts";
import type { ServerConfig } from "./config.ts";
import { createDemoStore, type DemoStore } from "./demo-store.ts";
import { DeviceRegistry } from "./device-registry.ts";
import { createApp } from "./http/app.ts";

/**
 * The retail server's composition root: builds every part from the configuration and starts
 * listening. This is the only place that decides which implementations are used.
 *
 * Not wired yet: automerge-repo (documents, WebSocket sync) and distribution runs. Imported
 * catalogs are kept in memory as the staged catalog until distribution takes them over.
 */

/** A running retail server. */
export type RetailServer = {
  readonly url: string;
  readonly port: number;
  readonly demo: DemoStore;
  readonly devices: DeviceRegistry;
  /** Products after the last accepted import (the demo catalog until then). */
  stagedProducts(): readonly Product[];
  /** Stops accepting connections and waits until the registry is on disk. */
  close(): Promise<void>;
};

export const ADMIN_TOKEN_FILE = "admin-token";
const DEMO_SEED = 1;

/** Builds a pino logger at the configured level. */
export function createLogger(config: ServerConfig): Logger {
  return pino({ level: config.logLevel, base: { service: "retail-server" } });
}

/**
 * Starts the server. With no `POS_ADMIN_TOKEN` configured, a random one is created once in
 * `<dataDir>/admin-token` (mode 0600) and reused on later starts.
 */
export async function startRetailServer(
  config: ServerConfig,
  logger: Logger = createLogger(config),
): Promise<RetailServer> {
  const dataDir = resolve(config.dataDir);
  await mkdir(dataDir, { recursive: true });
  const adminToken =
    config.adminToken === "" ? await ensureAdminToken(dataDir, logger) : config.adminToken;
  const effective: ServerConfig = Object.freeze({ ...config, dataDir, adminToken });

  const demo = await createDemoStore(DEMO_SEED);
  const devices = await DeviceRegistry.open({
    dataDir,
    now: Date.now,
    activationCodeTtlMs: effective.activationCodeTtlMs,
  });
  devices.onRevoked(({ registerId, reason }) =>
    logger.info({ registerId, reason }, "register token no longer valid"),
  );
  let products: readonly Product[] = demo.products;

  const app = createApp({
    config: effective,
    logger,
    devices,
    isKnownRegister: (registerId) => demo.registers.some((register) => register.id === registerId),
    catalog: {
      references: () => ({ taxGroups: demo.taxGroups, products }),
      stage: (imported) => {
        const byId = new Map(products.map((product) => [product.id, product]));
        for (const product of imported) byId.set(product.id, product);
        products = [...byId.values()];
      },
    },
  });

  const server = await new Promise<ReturnType<typeof serve>>((ready, fail) => {
    const listening = serve(
      { fetch: app.fetch, port: effective.port, hostname: effective.host },
      () => ready(listening),
    );
    listening.once("error", fail);
  });
  const address = server.address() as AddressInfo;
  const host = effective.host === "0.0.0.0" ? "127.0.0.1" : effective.host;
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${address.port}`;
  logger.info(
    { url, port: address.port, dataDir, store: demo.store.id, products: demo.products.length },
    "retail server listening",
  );

  return {
    url,
    port: address.port,
    demo,
    devices,
    stagedProducts: () => products,
    async close() {
      await new Promise<void>((done) => {
        server.close(() => done());
        if ("closeAllConnections" in server) server.closeAllConnections();
      });
      await devices.flush();
      logger.info("retail server stopped");
    },
  };
}

async function ensureAdminToken(dataDir: string, logger: Logger): Promise<string> {
  const path = join(dataDir, ADMIN_TOKEN_FILE);
  try {
    const existing = (await readFile(path, "utf8")).trim();
    if (existing !== "") return existing;
  } catch (error) {
    if (!(error instanceof Error && "code" in error && error.code === "ENOENT")) throw error;
  }
  const token = randomBytes(24).toString("base64url");
  await writeFile(path, `${token}\n`, { mode: 0o600 });
  logger.warn({ path }, "no POS_ADMIN_TOKEN set: created a back office admin token in this file");
  return token;
}
