import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join, resolve } from "node:path";
import * as Automerge from "@automerge/automerge";
import { type DocumentId, type PeerId, Repo } from "@automerge/automerge-repo";
import { serve } from "@hono/node-server";
import pino, { type Logger } from "pino";
import {
  openStoreConfiguration,
  readStoreConfiguration,
  writeStoreConfiguration,
} from "../../replication/documents/store-configuration.ts";
import { StagingArea } from "../../replication/master-data/staging-area.ts";
import { AtomicNodeFSStorageAdapter } from "../../replication/storage/atomic-nodefs-storage-adapter.ts";
import { shutdownRepo } from "../../replication/storage/shutdown-repo.ts";
import { BackOffice } from "./back-office.ts";
import type { ServerConfig } from "./config.ts";
import { createDemoStore, DEMO_STORE_ID, type DemoStore } from "./demo-store.ts";
import { DeviceRegistry } from "./device-registry.ts";
import { createApp } from "./http/app.ts";
import { ManagerSessions } from "./manager/manager-sessions.ts";
import { ReplicaInspector } from "./manager/replica-inspector.ts";
import { createManagerRoutes } from "./manager/routes.ts";
import { demoMasterDataRows, demoStoreConfiguration } from "./master-data/demo-master-data.ts";
import { loadStagingArea, stagingFile } from "./master-data/staging-file.ts";
import { SalesIngestion } from "./sales-ingestion.ts";
import { createDeviceWritePolicy } from "./sync/device-write-policy.ts";
import { DocumentSizes } from "./sync/document-sizes.ts";
import { createSyncEndpoint } from "./sync/sync-endpoint.ts";

/**
 * The retail server's composition root: builds every part from the configuration and starts
 * listening. This is the only place that decides which implementations are used.
 *
 * - automerge-repo with crash-safe storage under `<dataDir>/documents`, peer id `retail-server`,
 *   networked through the guarded WebSocket adapter at `/sync?token=<device token>`;
 * - first start: the demo store's configuration document, its master data staged (saved in
 *   `<dataDir>/staging.json`) and a full distribution; later starts load all of it back;
 * - sales ingestion into the channel projection, posting records written back;
 * - distribution on the configured interval and on demand from the back office.
 */

/** A running retail server. */
export type RetailServer = {
  readonly url: string;
  readonly port: number;
  readonly storeId: string;
  readonly devices: DeviceRegistry;
  readonly repo: Repo;
  readonly backOffice: BackOffice;
  readonly ingestion: SalesIngestion;
  /** Activation codes issued at this start for registers never activated. */
  readonly activationCodes: readonly IssuedActivationCode[];
  /** Where the back office admin token is kept (when it was not given in the environment). */
  readonly adminTokenFile: string | null;
  /** Stops accepting connections, closes sockets, saves documents and the staging area. */
  close(): Promise<void>;
};

export const ADMIN_TOKEN_FILE = "admin-token";
export const SERVER_PEER_ID = "retail-server";
/** Documents of one register (by their `kind` and `registerId`) that the server announces to it. */
const REGISTER_DOCUMENT_KINDS: readonly string[] = [
  "sales-log",
  "posting-record",
  "replica-status",
];
const DEMO_SEED = 1;
const SCAN_INTERVAL_MS = 60_000;

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
  const now = Date.now;
  const storeId = DEMO_STORE_ID;

  const devices = await DeviceRegistry.open({
    dataDir,
    now,
    activationCodeTtlMs: effective.activationCodeTtlMs,
  });

  let repo: Repo | undefined;
  const storage = new DocumentSizes(
    new AtomicNodeFSStorageAdapter(join(dataDir, "documents"), {
      onQuarantine: (file) =>
        logger.warn(
          { file: file.file, movedTo: file.movedTo, documentId: file.key[0], reason: file.reason },
          "stored document file quarantined: unreadable, moved aside; the document loads without it and peers resend what it held",
        ),
    }),
  );
  const policy = createDeviceWritePolicy({
    storeId,
    now,
    holds: (documentId, hash) => {
      const handle = repo?.handles[documentId];
      return handle?.isReady() === true && Automerge.hasHeads(handle.doc(), [hash]);
    },
    // Acknowledge and publish only what is on disk: see WritePolicy.beforeSend.
    beforeSend: async (documentId) => {
      if (repo?.handles[documentId]?.isReady()) await repo.flush([documentId]);
    },
    maxMessageBytes: effective.maxMessageBytes,
    maxDocumentBytes: effective.maxDocumentBytes,
    documentBytes: (documentId) => storage.bytesOf(documentId),
    onViolation: (violation) =>
      logger.warn(
        {
          registerId: violation.device.registerId,
          deviceId: violation.device.deviceId,
          reason: violation.reason,
          documentId: violation.documentId,
          detail: violation.detail,
        },
        "write policy violation: connection closed, nothing applied",
      ),
  });
  const sync = createSyncEndpoint({ devices, policy, logger });
  devices.onRevoked(({ registerId, reason }) => {
    const closed = sync.disconnectRegister(registerId);
    logger.info({ registerId, reason, closed }, "register token no longer valid");
  });

  let announcedToRegisters: (registerId: string, documentId: DocumentId) => boolean = () => false;
  repo = new Repo({
    storage,
    network: [sync.adapter],
    peerId: SERVER_PEER_ID as PeerId,
    // Registers ask for what they need; the server does not push every document to each one.
    // Only what a register reads or writes is announced to it (the store configuration, the
    // current master data log, its own sales logs, posting records and replica status): an
    // announced document restarts sync with a fresh sync state at each reconnect. Without it
    // automerge-repo 2.5.6 keeps the old sync state: a change sent while the register's socket
    // was going down is believed delivered (both peers then exchange empty sync messages
    // forever), and a change the register made while reconnecting may never be taken in.
    shareConfig: {
      announce: async (peerId, documentId) => {
        const registerId = /^register\/([^/]+)\//.exec(peerId)?.[1];
        return (
          documentId !== undefined &&
          registerId !== undefined &&
          announcedToRegisters(registerId, documentId)
        );
      },
      access: async () => true,
    },
  });

  const configurationHandle = await openStoreConfiguration(repo, storeId);
  const staging = stagingFile(dataDir);
  const firstStart =
    readStoreConfiguration(configurationHandle.doc(), configurationHandle.documentId, storeId)
      .configuration === null;
  let stagingArea = firstStart ? null : await loadStagingArea(staging);
  let seeded = false;
  if (firstStart || stagingArea === null) {
    const generated = await createDemoStore(DEMO_SEED, {
      extraRegisters: effective.demoExtraRegisters,
    });
    const demo: DemoStore = {
      ...generated,
      offlineProfiles: generated.offlineProfiles.map((profile) => ({
        ...profile,
        switchTimeoutMs: effective.demoSwitchTimeoutMs,
        reconnectIntervalMs: effective.demoReconnectIntervalMs,
      })),
    };
    if (firstStart) {
      writeStoreConfiguration(configurationHandle, demoStoreConfiguration(demo, now()));
    }
    stagingArea = new StagingArea({ persist: (snapshot) => staging.save(snapshot) });
    await stagingArea.stageRows(demoMasterDataRows(demo));
    seeded = true;
    logger.info({ store: storeId, products: demo.products.length }, "demo store created");
  }
  const backOffice = await BackOffice.open({
    repo,
    storeId,
    configuration: configurationHandle,
    staging: stagingArea,
    clock: now,
    logger,
  });
  announcedToRegisters = (registerId, documentId) => {
    if (documentId === configurationHandle.documentId) return true;
    if (documentId === backOffice.masterDataLog?.documentId) return true;
    const handle = repo?.handles[documentId];
    if (handle?.isReady() !== true) return false;
    const doc = handle.doc() as { kind?: unknown; registerId?: unknown } | undefined;
    return (
      REGISTER_DOCUMENT_KINDS.includes(String(doc?.kind)) && String(doc?.registerId) === registerId
    );
  };
  if (seeded) await backOffice.distribute({ full: true });
  await repo.flush();

  const registerIds = (): string[] => backOffice.configuration().registers.map((r) => r.id);
  const ingestion = new SalesIngestion({
    repo,
    storeId,
    now,
    logger,
    maxEventsPerSale: effective.maxEventsPerSale,
    maxStringLength: effective.maxStringLength,
  });
  await ingestion.scanAll(registerIds());
  repo.networkSubsystem.on("peer", ({ peerId }) => {
    const registerId = /^register\/([^/]+)\//.exec(peerId)?.[1];
    if (registerId !== undefined && registerIds().includes(registerId)) {
      void ingestion.scanRegister(registerId);
    }
  });

  const staticRoot = resolve(import.meta.dirname, "../../dist");
  const app = createApp({
    config: effective,
    logger,
    devices,
    storeId,
    channel: ingestion.projection,
    backOffice,
    staticRoot: existsSync(join(staticRoot, "index.html")) ? staticRoot : null,
    isKnownRegister: (registerId) => registerIds().includes(registerId),
    catalog: {
      references: () => backOffice.catalogReferences(),
      stage: (imported) => backOffice.stageProducts(imported),
    },
    manager: createManagerRoutes({
      logger,
      sessions: new ManagerSessions({
        operators: () => backOffice.configuration().operators,
        adminToken,
        now,
      }),
      inspector: new ReplicaInspector({
        repo,
        storeId,
        configuration: () => backOffice.configuration(),
        masterDataLog: () => backOffice.masterDataLog,
        followedDays: (registerId) => ingestion.followedDays(registerId),
        today: () => ingestion.today(),
      }),
    }),
  });

  const server = await new Promise<Server>((ready, fail) => {
    const listening = serve(
      { fetch: app.fetch, port: effective.port, hostname: effective.host },
      () => ready(listening as Server),
    );
    listening.once("error", fail);
  });
  sync.attach(server);
  const address = server.address() as AddressInfo;
  const host = effective.host === "0.0.0.0" ? "127.0.0.1" : effective.host;
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${address.port}`;

  const activationCodes = await printActivationCodes(devices, registerIds(), logger);

  const timers: NodeJS.Timeout[] = [
    setInterval(() => void ingestion.scanAll(registerIds()), SCAN_INTERVAL_MS),
  ];
  if (effective.distributionIntervalMs > 0) {
    timers.push(
      setInterval(() => {
        backOffice.distribute().catch((error: unknown) => {
          logger.error({ err: error }, "scheduled distribution run failed");
        });
      }, effective.distributionIntervalMs),
    );
  }
  for (const timer of timers) timer.unref();

  logger.info(
    {
      url,
      port: address.port,
      dataDir,
      store: storeId,
      sync: `${url.replace(/^http/, "ws")}/sync`,
    },
    "retail server listening",
  );

  return {
    url,
    port: address.port,
    storeId,
    devices,
    repo,
    backOffice,
    ingestion,
    activationCodes,
    adminTokenFile: config.adminToken === "" ? join(dataDir, ADMIN_TOKEN_FILE) : null,
    async close() {
      for (const timer of timers) clearInterval(timer);
      ingestion.stop();
      const closed = new Promise<void>((done) => server.close(() => done()));
      server.closeAllConnections();
      await sync.close();
      await closed;
      await backOffice.idle();
      await ingestion.idle();
      await shutdownRepo(repo);
      await staging.save(backOffice.stagingSnapshot());
      await devices.flush();
      logger.info("retail server stopped");
    },
  };
}

/**
 * Logs a fresh activation code for every register that has never been activated, so the person
 * who started the server can set the registers up; activated registers get none.
 */
async function printActivationCodes(
  devices: DeviceRegistry,
  registerIds: readonly string[],
  logger: Logger,
): Promise<IssuedActivationCode[]> {
  const activated = new Set(devices.devices().map((device) => device.registerId));
  const issued: IssuedActivationCode[] = [];
  for (const registerId of registerIds) {
    if (activated.has(registerId)) continue;
    const { code, expiresAt } = await devices.issueActivationCode(registerId);
    issued.push({ registerId, code, expiresAt });
    logger.info(
      { registerId, code, expiresAt: new Date(expiresAt).toISOString() },
      "activation code for a register not activated yet (pos codes <register> makes a new one)",
    );
  }
  return issued;
}

/** A one-time activation code handed out at start-up. */
export type IssuedActivationCode = {
  readonly registerId: string;
  readonly code: string;
  /** Epoch milliseconds. */
  readonly expiresAt: number;
};

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
