import { type PeerId, Repo } from "@automerge/automerge-repo";
import { WebSocketClientAdapter } from "@automerge/automerge-repo-network-websocket";
import { IndexedDBStorageAdapter } from "@automerge/automerge-repo-storage-indexeddb";
import { systemClock } from "../../replication/connection/connection-controller-driver.ts";
import { IndexedDbMasterDataIndex } from "../../replication/master-data/indexeddb-master-data-index.ts";
import type { MasterDataIndex } from "../../replication/master-data/master-data-index.ts";
import { MemoryMasterDataIndex } from "../../replication/master-data/memory-master-data-index.ts";
import { PartitionableNetworkAdapter } from "../../replication/network/partitionable-network-adapter.ts";
import type {
  ActionResult,
  CustomerHit,
  ProductHit,
  RegisterCommands,
} from "../../replication/register/register-commands.ts";
import {
  RegisterSession,
  type ServerGateway,
  type SignInLockoutStore,
} from "../../replication/register/register-session.ts";
import type { RegisterView, XReportView } from "../../replication/register/register-view.ts";
import {
  activateBrowserRegister,
  type DeviceIdentity,
  readDeviceIdentity,
  writeDeviceIdentity,
} from "./device-identity.ts";

/** The browser facilities the register uses; the page's own unless a test passes others. */
export type BrowserRegisterEnvironment = {
  readonly location: Pick<Location, "host" | "protocol" | "search">;
  readonly storage: Storage;
  readonly fetch: typeof fetch;
  /** `navigator.storage.persist()`; null where the browser has no storage manager. */
  readonly persistStorage: (() => Promise<boolean>) | null;
};

function pageEnvironment(): BrowserRegisterEnvironment {
  const manager = globalThis.navigator?.storage;
  return {
    location: globalThis.location,
    storage: globalThis.localStorage,
    fetch: globalThis.fetch.bind(globalThis),
    persistStorage: typeof manager?.persist === "function" ? () => manager.persist() : null,
  };
}

/** Names of the register's IndexedDB databases: its offline database and its master data. */
export function offlineDatabaseNames(registerId: string): {
  readonly documents: string;
  readonly masterData: string;
} {
  return { documents: `pos-register-${registerId}`, masterData: `pos-master-data-${registerId}` };
}

/**
 * Creates the register that runs in this browser, as the app's composition root needs it.
 *
 * Before activation the returned commands show the activation screen (`view().activated` is
 * false) and accept only `activate(code, registerId)`; `?register=R1` in the page's URL
 * pre-fills the register. After activation (and on every later start) the device identity
 * comes from localStorage and a {@link RegisterSession} opens over:
 * - an automerge-repo whose storage is IndexedDB (the offline database), linked to the retail
 *   server by WebSocket at `/sync?token=` through a {@link PartitionableNetworkAdapter} that
 *   restarts the socket on each reconnect;
 * - master data in IndexedDB object stores;
 * - `/api/health` as the server gateway for reconnect probes.
 * A register without offline support keeps nothing persistent (memory storage and index).
 *
 * @example
 * const commands = await createBrowserRegister();
 * render(() => <RegisterApp commands={commands} devTools={false} />, root);
 */
export async function createBrowserRegister(
  environment: BrowserRegisterEnvironment = pageEnvironment(),
): Promise<RegisterCommands> {
  const register = new BrowserRegister(environment);
  const identity = readDeviceIdentity(environment.storage);
  if (identity !== null) await register.open(identity);
  return register;
}

/** The session and the parts it owns. */
type OpenRegister = {
  readonly session: RegisterSession;
  readonly repo: Repo;
  readonly link: PartitionableNetworkAdapter;
};

async function openBrowserSession(
  identity: DeviceIdentity,
  environment: BrowserRegisterEnvironment,
): Promise<OpenRegister> {
  const { location } = environment;
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const syncUrl = `${scheme}//${location.host}/sync?token=${encodeURIComponent(identity.token)}`;
  const link = new PartitionableNetworkAdapter(new WebSocketClientAdapter(syncUrl, 1_000), {
    transport: "restart",
  });
  const persistent = identity.offlineSupport;
  const names = offlineDatabaseNames(identity.registerId);
  const repo = new Repo({
    peerId: `register/${identity.registerId}/${crypto.randomUUID()}` as PeerId,
    network: [link],
    ...(persistent ? { storage: new IndexedDBStorageAdapter(names.documents, "documents") } : {}),
    sharePolicy: async () => true,
  });
  const index: MasterDataIndex = persistent
    ? await IndexedDbMasterDataIndex.open(names.masterData)
    : new MemoryMasterDataIndex();
  const storagePersisted = persistent ? await requestPersistence(environment) : null;
  const server: ServerGateway = {
    async health(signal) {
      const response = await environment.fetch("/api/health", { signal, cache: "no-store" });
      if (!response.ok) throw new Error(`The retail server answered ${response.status}.`);
      await connectSyncLink(link, signal);
    },
  };
  const session = await RegisterSession.open({
    storeId: identity.storeId,
    registerId: identity.registerId,
    repo,
    link,
    index,
    server,
    clock: systemClock,
    newId: () => crypto.randomUUID(),
    storagePersisted,
    checkServerOnStart: true,
    provisionAfterFirstSignIn: true,
    lockoutStore: localStorageLockoutStore(`pos-register-lockouts/${identity.registerId}`),
    log: (message, detail) => console.warn(message, detail),
  });
  return { session, repo, link };
}

/**
 * Sign-in lockouts kept in localStorage, so five wrong PINs still lock the operator after a
 * reload (the session validates what it loads).
 */
function localStorageLockoutStore(key: string): SignInLockoutStore {
  return {
    async load() {
      const text = globalThis.localStorage?.getItem(key);
      return text ? (JSON.parse(text) as unknown) : undefined;
    },
    async save(lockouts) {
      globalThis.localStorage?.setItem(key, JSON.stringify(lockouts));
    },
  };
}

/**
 * Connects the sync link (if it is cut) and resolves once the retail server is a peer on it, so
 * a reconnect counts as done only when sales can actually upload. On failure a link that was cut
 * is cut again: no traffic reaches the server while the register is offline.
 */
async function connectSyncLink(link: PartitionableNetworkAdapter, signal: AbortSignal) {
  if (link.visiblePeers.length > 0) return;
  const wasCut = link.conditions.cut;
  try {
    await new Promise<void>((resolve, reject) => {
      const finish = (error?: unknown) => {
        link.off("peer-candidate", onPeer);
        signal.removeEventListener("abort", onAbort);
        if (error === undefined) resolve();
        else reject(error);
      };
      const onPeer = () => finish();
      const onAbort = () =>
        finish(new Error("The retail server's sync connection did not open in time."));
      if (signal.aborted) return onAbort();
      link.on("peer-candidate", onPeer);
      signal.addEventListener("abort", onAbort);
      link.heal();
      if (link.visiblePeers.length > 0) finish();
    });
  } catch (error) {
    if (wasCut) link.cut();
    throw error;
  }
}

async function requestPersistence(environment: BrowserRegisterEnvironment): Promise<boolean> {
  if (environment.persistStorage === null) return false;
  try {
    return await environment.persistStorage();
  } catch {
    return false;
  }
}

function notActivated(): ActionResult {
  return {
    ok: false,
    code: "NOT_ACTIVATED",
    message: "Activate this register first with a code from the back office.",
  };
}

/** The view shown before activation: nothing but the activation screen. */
function activationView(registerId: string, message: string | null): RegisterView {
  return {
    registerId,
    storeId: "",
    storeName: "",
    currency: "EUR",
    activated: false,
    offlineSupport: false,
    operator: null,
    locked: false,
    shiftOpen: false,
    sale: null,
    lastReceipt: null,
    connection: {
      mode: "online",
      lastDownload: null,
      lastUpload: null,
      pendingUploadSales: 0,
      pendingUploadEvents: 0,
      pendingDownloads: 0,
      appliedPackageSeq: 0,
      latestPackageSeq: 0,
      lastError: null,
      storagePersisted: null,
    },
    provisioning: { packagesApplied: 0, rowsApplied: 0, appliedSeq: 0, latestSeq: 0, ready: false },
    operation917Label: "Disconnect",
    message,
  };
}

/**
 * The app's {@link RegisterCommands}: activation first, then every call goes to the session.
 * Keeps the stored identity's offline support flag in step with the store configuration, so
 * the next start opens (or drops) the offline database accordingly.
 */
class BrowserRegister implements RegisterCommands {
  readonly #environment: BrowserRegisterEnvironment;
  readonly #listeners = new Set<(view: RegisterView) => void>();
  #identity: DeviceIdentity | null = null;
  #open: OpenRegister | null = null;
  #view: RegisterView;

  constructor(environment: BrowserRegisterEnvironment) {
    this.#environment = environment;
    const requested = new URLSearchParams(environment.location.search).get("register") ?? "";
    this.#view = activationView(requested.trim(), null);
  }

  async open(identity: DeviceIdentity): Promise<void> {
    const open = await openBrowserSession(identity, this.#environment);
    this.#identity = identity;
    this.#open = open;
    open.session.subscribe((view) => this.#publish(view));
    this.#publish(open.session.view());
  }

  #publish(view: RegisterView): void {
    this.#view = view;
    this.#rememberOfflineSupport(view);
    for (const listener of this.#listeners) listener(view);
  }

  #rememberOfflineSupport(view: RegisterView): void {
    const identity = this.#identity;
    if (identity === null || view.storeName === "") return;
    if (identity.offlineSupport === view.offlineSupport) return;
    this.#identity = { ...identity, offlineSupport: view.offlineSupport };
    writeDeviceIdentity(this.#environment.storage, this.#identity);
  }

  #session(): RegisterSession | null {
    return this.#open?.session ?? null;
  }

  /**
   * Runs a command that appends to the sales log and resolves only once the log is written to
   * the offline database, so a reload or crash right after the cashier sees a line never takes
   * it back.
   */
  async #durably(
    command: (session: RegisterSession) => Promise<ActionResult>,
  ): Promise<ActionResult> {
    const open = this.#open;
    if (open === null) return notActivated();
    const result = await command(open.session);
    if (!this.#identity?.offlineSupport) return result;
    try {
      await open.repo.flush([open.session.salesLogHandle.documentId]);
    } catch (cause) {
      console.error("Saving the sales log failed", cause);
      return {
        ok: false,
        code: "OFFLINE_DATABASE_WRITE_FAILED",
        message:
          "The register could not save the sale on this device. Keep the page open, free browser storage, and call support if it happens again.",
      };
    }
    return result;
  }

  view(): RegisterView {
    return this.#view;
  }

  subscribe(listener: (view: RegisterView) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async activate(code: string, registerId?: string): Promise<ActionResult> {
    if (this.#open !== null) return this.#open.session.activate(code);
    const register = (registerId ?? this.#view.registerId).trim();
    if (register === "" || code.trim() === "") {
      return this.#refuse(
        "ACTIVATION_INCOMPLETE",
        "Enter the register (e.g. R1) and the activation code from the back office.",
      );
    }
    try {
      const identity = await activateBrowserRegister({
        registerId: register,
        code: code.trim(),
        fetch: this.#environment.fetch,
      });
      writeDeviceIdentity(this.#environment.storage, identity);
      await this.open(identity);
      return { ok: true };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return this.#refuse("ACTIVATION_FAILED", message);
    }
  }

  #refuse(code: string, message: string): ActionResult {
    this.#publish({ ...activationView(this.#view.registerId, message) });
    return { ok: false, code, message };
  }

  signIn(operatorId: string, pin: string): Promise<ActionResult> {
    return this.#session()?.signIn(operatorId, pin) ?? Promise.resolve(notActivated());
  }
  signOut(): Promise<ActionResult> {
    return this.#session()?.signOut() ?? Promise.resolve(notActivated());
  }
  lock(): Promise<ActionResult> {
    return this.#session()?.lock() ?? Promise.resolve(notActivated());
  }
  scan(barcode: string, quantity?: number): Promise<ActionResult> {
    return this.#durably((session) => session.scan(barcode, quantity));
  }
  addProduct(productId: string, quantity?: number): Promise<ActionResult> {
    return this.#durably((session) => session.addProduct(productId, quantity));
  }
  searchProducts(text: string, limit?: number): Promise<readonly ProductHit[]> {
    return this.#session()?.searchProducts(text, limit) ?? Promise.resolve([]);
  }
  searchCustomers(text: string, limit?: number): Promise<readonly CustomerHit[]> {
    return this.#session()?.searchCustomers(text, limit) ?? Promise.resolve([]);
  }
  changeQuantity(lineId: string, quantity: number): Promise<ActionResult> {
    return this.#durably((session) => session.changeQuantity(lineId, quantity));
  }
  voidLine(lineId: string): Promise<ActionResult> {
    return this.#durably((session) => session.voidLine(lineId));
  }
  applyDiscount(input: Parameters<RegisterCommands["applyDiscount"]>[0]): Promise<ActionResult> {
    return this.#durably((session) => session.applyDiscount(input));
  }
  attachCustomer(customerId: string): Promise<ActionResult> {
    return this.#durably((session) => session.attachCustomer(customerId));
  }
  pay(...args: Parameters<RegisterCommands["pay"]>): Promise<ActionResult> {
    return this.#durably((session) => session.pay(...args));
  }
  completeSale(): Promise<ActionResult> {
    return this.#durably((session) => session.completeSale());
  }
  voidSale(reason: string, managerId?: string, managerPin?: string): Promise<ActionResult> {
    return this.#durably((session) => session.voidSale(reason, managerId, managerPin));
  }
  addReturnLine(input: Parameters<RegisterCommands["addReturnLine"]>[0]): Promise<ActionResult> {
    return this.#durably((session) => session.addReturnLine(input));
  }
  openShift(openingFloat: number): Promise<ActionResult> {
    return this.#durably((session) => session.openShift(openingFloat));
  }
  declareCash(amount: number): Promise<ActionResult> {
    return this.#durably((session) => session.declareCash(amount));
  }
  closeShift(): Promise<ActionResult> {
    return this.#durably((session) => session.closeShift());
  }
  operation917(): Promise<ActionResult> {
    return this.#durably((session) => session.operation917());
  }
  syncNow(): Promise<ActionResult> {
    return this.#session()?.syncNow() ?? Promise.resolve(notActivated());
  }
  async xReport(): Promise<XReportView> {
    const session = this.#session();
    if (!session) throw new Error("Activate this register first with a code from the back office.");
    return session.xReport();
  }
  async cutNetwork(): Promise<void> {
    await this.#session()?.cutNetwork();
  }
  async healNetwork(): Promise<void> {
    await this.#session()?.healNetwork();
  }
}
