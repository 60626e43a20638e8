import { randomUUID } from "node:crypto";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import type {
  Chunk,
  DocHandle,
  DocumentId,
  PeerId,
  StorageAdapterInterface,
  StorageKey,
} from "@automerge/automerge-repo";
import { Repo } from "@automerge/automerge-repo";
import type { Product } from "../../domain/master-data.ts";
import { systemClock } from "../../replication/connection/connection-controller-driver.ts";
import { FileMasterDataIndex } from "../../replication/master-data/file-master-data-index.ts";
import { PartitionableNetworkAdapter } from "../../replication/network/partitionable-network-adapter.ts";
import { ServerLinkAdapter } from "../../replication/network/server-link-adapter.ts";
import {
  activateNodeRegister,
  type DeviceIdentity,
  httpServerGateway,
} from "../../replication/register/node-register.ts";
import { RegisterSession } from "../../replication/register/register-session.ts";
import { AtomicNodeFSStorageAdapter } from "../../replication/storage/atomic-nodefs-storage-adapter.ts";
import { shutdownRepo } from "../../replication/storage/shutdown-repo.ts";
import { loadServerConfig, type ServerConfig } from "../../src/server/config.ts";
import { DEMO_OPERATOR_PINS } from "../../src/server/demo-store.ts";
import { type RetailServer, startRetailServer } from "../../src/server/main.ts";
import { until } from "./registers.ts";
import { freePort, temporaryDirectory } from "./server-process.ts";

/**
 * A whole store in one process for convergence tests: the retail server in-process (restartable
 * on the same port, over the same data directory) and offline-capable registers, each with its
 * own automerge-repo on crash-safe file storage and its own file master data index, reachable
 * through a link the test can cut and heal.
 *
 * A partition cuts both ways a register reaches the server: the sync socket (the register's link)
 * and the health handshake its connection controller probes with. Healing lifts the partition;
 * whether the register then talks to the server again is its controller's decision (a register
 * that switched offline stays offline until a transaction start after the reconnect interval or
 * operation 917 Connect), exactly as after a real outage.
 */

/** How often quiescence and provisioning are polled: runs are short, so a slow poll shows. */
const POLL_MS = 10;

/** How long quiescence may take after the last heal before a run counts as not converging. */
const QUIESCENCE_TIMEOUT_MS = 20_000;

export const CONVERGENCE_ADMIN_TOKEN = "convergence-admin-token-0123456789";

/**
 * How long saves automerge-repo schedules after a flush (throttled sync states and documents,
 * `saveDebounceRate` 100 ms) may take to land once a repo closed.
 */
const LATE_SAVES_MS = 300;

/**
 * A register's offline database that stops writing once its register closed: automerge-repo
 * still saves throttled sync states (and documents) after `flush()`, and such a late save would
 * land in a directory the test deletes (a forgotten document, or the store at the end), either
 * failing or bringing back a sync state for a document the register no longer holds.
 */
class ClosableStorage implements StorageAdapterInterface {
  readonly #inner: StorageAdapterInterface;
  readonly #writing = new Set<Promise<void>>();
  #closed = false;

  constructor(inner: StorageAdapterInterface) {
    this.#inner = inner;
  }

  load(key: StorageKey): Promise<Uint8Array | undefined> {
    return this.#inner.load(key);
  }

  loadRange(keyPrefix: StorageKey): Promise<Chunk[]> {
    return this.#inner.loadRange(keyPrefix);
  }

  save(key: StorageKey, data: Uint8Array): Promise<void> {
    return this.#write(() => this.#inner.save(key, data));
  }

  remove(key: StorageKey): Promise<void> {
    return this.#write(() => this.#inner.remove(key));
  }

  removeRange(keyPrefix: StorageKey): Promise<void> {
    return this.#write(() => this.#inner.removeRange(keyPrefix));
  }

  /** Refuses later writes silently and waits for those under way. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.allSettled([...this.#writing]);
  }

  #write(operation: () => Promise<void>): Promise<void> {
    if (this.#closed) return Promise.resolve();
    const writing: Promise<void> = operation().finally(() => this.#writing.delete(writing));
    this.#writing.add(writing);
    return writing;
  }
}

/** A register of the test store, closable and reopenable from its data directory. */
export class ConvergenceRegister {
  readonly registerId: string;
  readonly dataDir: string;
  readonly #identity: DeviceIdentity;
  readonly #serverUrl: string;
  #partitioned = false;
  /** Messages received from the server, by type and document id (for failure reports). */
  readonly inbound = new Map<string, number>();
  #running: {
    readonly session: RegisterSession;
    readonly repo: Repo;
    readonly link: PartitionableNetworkAdapter;
    readonly index: FileMasterDataIndex;
    readonly storage: ClosableStorage;
  } | null = null;

  constructor(identity: DeviceIdentity, dataDir: string, serverUrl: string) {
    this.registerId = identity.registerId;
    this.#identity = identity;
    this.dataDir = dataDir;
    this.#serverUrl = serverUrl;
  }

  get partitioned(): boolean {
    return this.#partitioned;
  }

  get running(): boolean {
    return this.#running !== null;
  }

  get session(): RegisterSession {
    return this.#parts().session;
  }

  get repo(): Repo {
    return this.#parts().repo;
  }

  get index(): FileMasterDataIndex {
    return this.#parts().index;
  }

  get link(): PartitionableNetworkAdapter {
    return this.#parts().link;
  }

  #parts() {
    if (this.#running === null) throw new Error(`register ${this.registerId} is not running`);
    return this.#running;
  }

  /** Opens the register from its data directory (in a partition when one is in force). */
  async open(): Promise<void> {
    if (this.#running !== null) return;
    const wsUrl = new URL(
      `/sync?token=${encodeURIComponent(this.#identity.token)}`,
      this.#serverUrl,
    );
    wsUrl.protocol = "ws:";
    const link = new PartitionableNetworkAdapter(
      new ServerLinkAdapter(wsUrl.toString(), { retryIntervalMs: 1_000 }),
      { transport: "restart" },
    );
    const storage = new ClosableStorage(
      new AtomicNodeFSStorageAdapter(join(this.dataDir, "documents")),
    );
    const repo = new Repo({
      peerId: `register/${this.registerId}/${randomUUID()}` as PeerId,
      network: [link],
      storage,
      sharePolicy: async () => true,
    });
    if (this.#partitioned) link.cut();
    link.on("message", (message) => {
      const key = `${message.type}:${"documentId" in message ? message.documentId : "-"}`;
      this.inbound.set(key, (this.inbound.get(key) ?? 0) + 1);
    });
    const index = await FileMasterDataIndex.open(join(this.dataDir, "master-data"));
    const health = httpServerGateway(this.#serverUrl);
    const session = await RegisterSession.open({
      storeId: this.#identity.storeId,
      registerId: this.registerId,
      repo,
      link,
      index,
      server: {
        health: async (signal) => {
          if (this.#partitioned) throw new Error("partitioned from the retail server");
          await health.health(signal);
        },
      },
      clock: systemClock,
      newId: randomUUID,
    });
    this.#running = { session, repo, link, index, storage };
  }

  /** Closes the register as an orderly shutdown would: session, then repo, then index. */
  async close(): Promise<void> {
    const running = this.#running;
    if (running === null) return;
    this.#running = null;
    await running.session.close();
    await shutdownRepo(running.repo);
    await running.storage.close();
    await running.index.close();
  }

  /**
   * Deletes one document from the closed register's offline database, as if it had never been
   * downloaded. Retries while a save that was in flight at close still lands in its directory.
   */
  async forgetDocument(documentId: string): Promise<void> {
    if (this.#running !== null) throw new Error("close the register before forgetting documents");
    const directory = join(this.dataDir, "documents", documentId.slice(0, 2), documentId.slice(2));
    await rm(directory, { recursive: true, force: true, maxRetries: 10, retryDelay: 20 });
  }

  /** Starts a partition between this register and the server. */
  cut(): void {
    this.#partitioned = true;
    this.#running?.link.cut();
  }

  /**
   * Ends the partition. A register whose controller still believes it is connected gets its
   * socket back at once; one that switched offline waits for its own reconnect.
   */
  heal(): void {
    this.#partitioned = false;
    const running = this.#running;
    if (running && running.session.mode === "online") running.link.heal();
  }

  /** Signs the demo cashier in. */
  async signIn(): Promise<void> {
    const result = await this.session.signIn("1001", DEMO_OPERATOR_PINS["1001"]);
    if (!result.ok) throw new Error(`sign-in on ${this.registerId} refused: ${result.message}`);
  }
}

/** The retail server in-process, restartable on the same port and data directory. */
export class ConvergenceStore {
  readonly dataDir: string;
  readonly port: number;
  readonly registers: readonly ConvergenceRegister[];
  readonly #config: ServerConfig;
  #server: RetailServer | null;

  private constructor(
    dataDir: string,
    port: number,
    config: ServerConfig,
    server: RetailServer,
    registers: readonly ConvergenceRegister[],
  ) {
    this.dataDir = dataDir;
    this.port = port;
    this.#config = config;
    this.#server = server;
    this.registers = registers;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get server(): RetailServer {
    if (this.#server === null) throw new Error("the retail server is not running");
    return this.#server;
  }

  /**
   * Starts a fresh store: the retail server with the demo data, then activates and opens the
   * given registers (each with its own data directory), signs the cashier in on each and waits
   * until each is provisioned. Register ids beyond the demo store's R1-R3 (R4, R5, ...) are
   * created with the store as its extra offline-capable registers.
   */
  static async start(options: {
    readonly registerIds: readonly string[];
    readonly switchTimeoutMs?: number;
    readonly reconnectIntervalMs?: number;
    readonly logLevel?: ServerConfig["logLevel"];
  }): Promise<ConvergenceStore> {
    const dataDir = await temporaryDirectory("convergence-server");
    const port = await freePort();
    const config = loadServerConfig(
      {},
      {
        port,
        host: "127.0.0.1",
        dataDir,
        logLevel: options.logLevel ?? "silent",
        adminToken: CONVERGENCE_ADMIN_TOKEN,
        distributionIntervalMs: 0,
        demoSwitchTimeoutMs: options.switchTimeoutMs ?? 150,
        demoReconnectIntervalMs: options.reconnectIntervalMs ?? 1_000,
        demoExtraRegisters: extraDemoRegisters(options.registerIds),
      },
    );
    const server = await startRetailServer(config);
    const url = `http://127.0.0.1:${port}`;
    const registers: ConvergenceRegister[] = [];
    for (const registerId of options.registerIds) {
      const { code } = await adminJson<{ code: string }>(
        url,
        "POST",
        `/api/back-office/devices/${registerId}/codes`,
      );
      const registerDir = await temporaryDirectory(`convergence-${registerId}`);
      const identity = await activateNodeRegister({
        serverUrl: url,
        dataDir: registerDir,
        registerId,
        code,
      });
      registers.push(new ConvergenceRegister(identity, registerDir, url));
    }
    const store = new ConvergenceStore(dataDir, port, config, server, registers);
    for (const register of registers) {
      await register.open();
      await until(
        `${register.registerId} provisioned`,
        () => register.session.view().provisioning.ready,
        60_000,
        POLL_MS,
      );
      await register.signIn();
    }
    return store;
  }

  /** Stops the server (orderly: sockets, documents, staging area, device registry). */
  async stopServer(): Promise<void> {
    const server = this.#server;
    this.#server = null;
    await server?.close();
  }

  /** Starts the server again on the same port over the same data directory. */
  async startServer(): Promise<void> {
    if (this.#server !== null) return;
    this.#server = await startRetailServer(this.#config);
  }

  /** Sends an authorised back office request and returns the parsed JSON body. */
  admin<T>(method: string, path: string, body?: unknown): Promise<T> {
    return adminJson<T>(this.url, method, path, body);
  }

  /** Changes a product's price in the staging area; returns the staged product. */
  async editPrice(productId: string, price: number): Promise<Product> {
    const { product } = await this.admin<{ product: Product }>(
      "PATCH",
      `/api/back-office/products/${encodeURIComponent(productId)}`,
      { price },
    );
    return product;
  }

  /** Runs a distribution on demand; returns the package seq (null when nothing changed). */
  async distribute(): Promise<number | null> {
    const outcome = await this.admin<{ seq: number | null }>("POST", "/api/back-office/distribute");
    return outcome.seq;
  }

  /** The seq of the newest package in the current master data log. */
  latestPackageSeq(): number {
    const log = this.server.backOffice.masterDataLog;
    const packages = (log?.doc() as { packages?: readonly { seq?: number }[] } | undefined)
      ?.packages;
    return Math.max(0, ...(packages ?? []).map((entry) => entry.seq ?? 0));
  }

  /** The server's handle of a document, or undefined when it holds none ready. */
  serverHandle(documentId: DocumentId): DocHandle<unknown> | undefined {
    const handle = this.server.repo.handles[documentId];
    return handle?.isReady() ? (handle as DocHandle<unknown>) : undefined;
  }

  /** Closes every register and the server, then removes every data directory. */
  async close(): Promise<void> {
    for (const register of this.registers) await register.close();
    await this.stopServer();
    // The server's repo, like any, may still save for a moment after it closed.
    await new Promise((done) => setTimeout(done, LATE_SAVES_MS));
    for (const dir of [this.dataDir, ...this.registers.map((r) => r.dataDir)]) {
      await rm(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 20 });
    }
  }
}

/** How many extra demo registers (R4, R5, ...) the store needs so that every id exists. */
function extraDemoRegisters(registerIds: readonly string[]): number {
  const numbers = registerIds.map((id) => {
    const match = /^R(\d+)$/.exec(id);
    if (match === null)
      throw new Error(`register id ${id} is not one of the demo store's (R1, R2, ...)`);
    return Number(match[1]);
  });
  return Math.max(0, ...numbers.map((number) => number - 3));
}

async function adminJson<T>(url: string, method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(new URL(path, url), {
    method,
    headers: {
      authorization: `Bearer ${CONVERGENCE_ADMIN_TOKEN}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
  return JSON.parse(text) as T;
}

/** The document id of the current master data log. */
export function currentLogId(store: ConvergenceStore): DocumentId | null {
  return (store.server.backOffice.masterDataLog?.documentId as DocumentId | undefined) ?? null;
}

function sameHeads(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && [...a].sort().join() === [...b].sort().join();
}

/** Every register back online, uploads drained, master data applied, every replica equal. */
export async function quiesce(store: ConvergenceStore): Promise<void> {
  for (const register of store.registers) register.heal();
  const latest = store.latestPackageSeq();
  for (const register of store.registers) {
    const session = register.session;
    await until(
      `${register.registerId} online, uploaded and up to date`,
      async () => {
        if (session.mode !== "online" && session.mode !== "probing") await session.operation917();
        const connection = session.view().connection;
        return (
          session.mode === "online" &&
          connection.pendingUploadEvents === 0 &&
          connection.appliedPackageSeq === latest
        );
      },
      QUIESCENCE_TIMEOUT_MS,
      POLL_MS,
    ).catch((error: unknown) => {
      const { connection } = session.view();
      throw new Error(
        `${String(error)}: mode ${session.mode}, pending events ${connection.pendingUploadEvents}, applied ${connection.appliedPackageSeq}/${latest} (register sees ${connection.latestPackageSeq}), link ${JSON.stringify(register.link.conditions)}, peers ${register.link.visiblePeers.join()}, last error ${connection.lastError}, inbound ${JSON.stringify([...register.inbound].sort((a, b) => b[1] - a[1]).slice(0, 5))}, log ${currentLogId(store)}, sales log ${session.salesLogHandle.documentId}, divergent ${JSON.stringify(
          divergentDocuments(store, register).map((id) => ({
            id,
            register: register.repo.handles[id as DocumentId]?.state,
            registerHeads: register.repo.handles[id as DocumentId]?.heads().length,
            server: store.server.repo.handles[id as DocumentId]?.state ?? "absent",
          })),
        )}`,
      );
    });
    await until(
      `${register.registerId} replicas with the server's heads`,
      () => divergentDocuments(store, register).length === 0,
      QUIESCENCE_TIMEOUT_MS,
      POLL_MS,
    ).catch((error: unknown) => {
      throw new Error(
        `${String(error)}; divergent: ${JSON.stringify(
          divergentDocuments(store, register).map((id) => ({
            id,
            register: register.repo.handles[id as DocumentId]?.state,
            registerHeads: register.repo.handles[id as DocumentId]?.heads(),
            server: store.server.repo.handles[id as DocumentId]?.state ?? "absent",
            serverHeads: store.server.repo.handles[id as DocumentId]?.heads(),
          })),
        )}`,
      );
    });
  }
}

/** Documents the register holds whose heads differ from the server's copy (or it has none). */
export function divergentDocuments(
  store: ConvergenceStore,
  register: ConvergenceRegister,
): string[] {
  const divergent: string[] = [];
  const ids = new Set<string>(Object.keys(register.repo.handles));
  const logId = currentLogId(store);
  if (logId !== null) ids.add(logId);
  for (const id of ids) {
    const mine = register.repo.handles[id as DocumentId];
    if (mine !== undefined && !mine.isReady() && id !== logId) continue;
    const theirs = store.serverHandle(id as DocumentId);
    if (!mine?.isReady() || !theirs || !sameHeads(mine.heads(), theirs.heads())) divergent.push(id);
  }
  return divergent;
}

/**
 * Hands each run of a property its store (with whatever the test keeps beside it, such as a
 * model): one store serves `recycleRuns` consecutive runs, so checks cover a history longer than
 * one run, then it is closed and a fresh one started, so a long soak does not slow down as one
 * store's history grows. Once a run failed, every later run (fast-check's shrink attempts)
 * starts on a fresh store: a shrunk counterexample then fails on its own, not because of what
 * earlier runs left behind.
 */
export class StoreRecycler<Bench extends { readonly store: ConvergenceStore }> {
  readonly #start: () => Promise<Bench>;
  readonly #recycleRuns: number;
  readonly #timing: string | null;
  #current: { readonly bench: Bench; readonly startMs: number; readonly runMs: number[] } | null =
    null;
  #stores = 0;
  #failed = false;

  /**
   * @param options.recycleRuns runs one store serves (at least 1)
   * @param options.timing a label: when given, each store's run times are logged as it retires
   */
  constructor(options: {
    readonly start: () => Promise<Bench>;
    readonly recycleRuns: number;
    readonly timing?: string;
  }) {
    this.#start = options.start;
    this.#recycleRuns = Math.max(1, Math.floor(options.recycleRuns));
    this.#timing = options.timing ?? null;
  }

  /**
   * Runs one property run on the current store (or a fresh one when due) and times it. A run
   * that throws marks every later run for a fresh store.
   */
  async run(body: (bench: Bench) => Promise<void>): Promise<void> {
    const current = await this.#forRun();
    const started = performance.now();
    try {
      await body(current.bench);
    } catch (error) {
      this.#failed = true;
      throw error;
    } finally {
      current.runMs.push(performance.now() - started);
    }
  }

  /** Closes the current store (then logs its timings when asked). */
  async close(): Promise<void> {
    const retiring = this.#current;
    this.#current = null;
    if (retiring === null) return;
    try {
      await retiring.bench.store.close();
    } catch (error) {
      console.error(
        `closing store ${this.#stores} failed (the next run starts on a fresh one):`,
        error,
      );
    }
    if (this.#timing !== null && retiring.runMs.length > 0) {
      // With node --expose-gc the heap figure is what survives a full collection once the
      // store closed: it grows only if closed stores are kept alive.
      (globalThis as { gc?: () => void }).gc?.();
      const runs = retiring.runMs;
      const quarters = [0, 1, 2, 3].map((q) =>
        mean(
          runs.slice(Math.floor((q * runs.length) / 4), Math.floor(((q + 1) * runs.length) / 4)),
        ),
      );
      const memory = process.memoryUsage();
      console.log(
        `[${this.#timing} timing] store ${this.#stores}: ${runs.length} runs, mean ${mean(runs).toFixed(0)} ms/run (${runs.length >= 4 ? `by quarter ${quarters.map((value) => value.toFixed(0)).join(" / ")}, ` : ""}max ${Math.max(...runs).toFixed(0)}), store start ${retiring.startMs.toFixed(0)} ms; after closing it: heap ${(memory.heapUsed / 2 ** 20).toFixed(0)} MiB, rss ${(memory.rss / 2 ** 20).toFixed(0)} MiB, active resources ${activeResources()}`,
      );
    }
  }

  async #forRun() {
    const current = this.#current;
    if (current !== null && !this.#failed && current.runMs.length < this.#recycleRuns) {
      return current;
    }
    await this.close();
    const started = performance.now();
    const bench = await this.#start();
    this.#stores += 1;
    this.#current = { bench, startMs: performance.now() - started, runMs: [] };
    return this.#current;
  }
}

/** The process's active resources by type, e.g. "42 (Timeout 30, TCPSocketWrap 12)". */
function activeResources(): string {
  const byType = new Map<string, number>();
  const resources = process.getActiveResourcesInfo();
  for (const type of resources) byType.set(type, (byType.get(type) ?? 0) + 1);
  const types = [...byType].sort((a, b) => b[1] - a[1]).map(([type, count]) => `${type} ${count}`);
  return `${resources.length} (${types.join(", ")})`;
}

function mean(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((sum, value) => sum + value, 0) / values.length;
}

/**
 * The time a property on recycled stores may take: a store start per block of runs, a bound per
 * run and a shrink budget. Pass it to fast-check's `interruptAfterTimeLimit` (with
 * `markInterruptAsFailure`) and give the test a little more, so a slow run ends with fast-check's
 * report (seed and best counterexample so far) rather than a bare test timeout, and 10,000 soak
 * runs get the time they need.
 */
export function propertyBudgetMs(runs: number, recycleRuns: number, perRunMs = 2_000): number {
  return (Math.ceil(runs / Math.max(1, recycleRuns)) + 1) * 60_000 + runs * perRunMs + 300_000;
}
