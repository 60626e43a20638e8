import { getHeads } from "@automerge/automerge";
import type { DocHandle, DocumentId, Repo } from "@automerge/automerge-repo";
import { addBusinessDays, businessDayOf } from "../../domain/business-day.ts";
import { ChannelProjection } from "../../domain/channel-projection.ts";
import type { CommandContext } from "../../domain/command-context.ts";
import type { PosEvent } from "../../domain/events.ts";
import { apply, fold } from "../../domain/fold.ts";
import type { Operator, Product, TaxGroup, TenderKind } from "../../domain/master-data.ts";
import { executeCommand, type RegisterCommand } from "../../domain/register-command.ts";
import type { OpenSale, RegisterState } from "../../domain/register-state.ts";
import type { RegisterConnectionMode } from "../connection/connection-controller.ts";
import {
  type ConnectionClock,
  ConnectionController,
} from "../connection/connection-controller-driver.ts";
import { modeChangedEvent } from "../connection/mode-changed-event.ts";
import { resolveOfflineProfile } from "../connection/offline-profile.ts";
import { checkOnlineOperation, onlineOperationForTender } from "../connection/online-operation.ts";
import { operation917Label } from "../connection/operation-917.ts";
import {
  openPostingRecord,
  type PostingRecord,
  type PostingRecordDoc,
  pendingUpload,
  readPostingRecord,
} from "../documents/posting-record.ts";
import {
  openReplicaStatus,
  type ReplicaStatusDoc,
  updateReplicaStatus,
} from "../documents/replica-status.ts";
import {
  appendToSalesLog,
  openSalesLog,
  readSalesLog,
  type SalesLogDoc,
  type SalesLogKey,
  salesLogDocumentId,
} from "../documents/sales-log.ts";
import {
  openStoreConfiguration,
  readStoreConfiguration,
  type StoreConfiguration,
  type StoreConfigurationDoc,
} from "../documents/store-configuration.ts";
import type { MasterDataIndex } from "../master-data/master-data-index.ts";
import { type MasterDataDownloadStatus, PackageApplier } from "../master-data/package-applier.ts";
import type { PartitionableNetworkAdapter } from "../network/partitionable-network-adapter.ts";
import { verifyPin } from "../operators/pin-hash.ts";
import {
  NO_LOCKOUTS,
  parseSignInLockouts,
  type SignInLockouts,
  signIn,
} from "../operators/sign-in.ts";
import type {
  ActionResult,
  CustomerHit,
  ProductHit,
  RegisterCommands,
} from "./register-commands.ts";
import type {
  ConnectionStatusView,
  RegisterView,
  SaleView,
  TenderTotalView,
  XReportView,
} from "./register-view.ts";

/** How the register reaches the retail server outside automerge-repo sync. */
export interface ServerGateway {
  /** Health handshake: resolves when the server answers `/api/health`, rejects otherwise. */
  health(signal: AbortSignal): Promise<void>;
}

/** Everything a register session needs, passed in by the program that runs it. */
export type RegisterSessionOptions = {
  readonly storeId: string;
  readonly registerId: string;
  /** The register's automerge-repo: its offline database when storage is persistent. */
  readonly repo: Repo;
  /** The link to the retail server; cut while offline so no traffic reaches the server. */
  readonly link: PartitionableNetworkAdapter;
  readonly index: MasterDataIndex;
  readonly server: ServerGateway;
  readonly clock: ConnectionClock;
  readonly newId: () => string;
  /** Store UTC offset in minutes, for the business day. */
  readonly utcOffsetMinutes?: number;
  /** Whether the browser granted persistent storage; null where it does not apply. */
  readonly storagePersisted?: boolean | null;
  /**
   * Ask the server for its health as soon as the store configuration is known, so a register
   * started (or reloaded) while the server is gone switches offline at once instead of at its
   * first sale command. Off by default.
   */
  readonly checkServerOnStart?: boolean;
  /**
   * Offline synchronisation starts after the first sign-in (the register app): until an operator
   * has signed in, a register that has never applied master data does not download it. Off by
   * default, so headless registers (tests, simulator, benchmarks) provision at once.
   */
  readonly provisionAfterFirstSignIn?: boolean;
  /**
   * Where the sign-in lockouts are kept in the offline database, so a restart does not lift a
   * lock. Without it they live in memory only.
   */
  readonly lockoutStore?: SignInLockoutStore;
  readonly log?: (message: string, detail?: Record<string, unknown>) => void;
};

/**
 * The register's persistent copy of its sign-in lockouts (a JSON file for the Node register,
 * IndexedDB or localStorage in the browser). `load` resolves undefined when nothing is stored.
 */
export type SignInLockoutStore = {
  load(): Promise<unknown>;
  save(lockouts: SignInLockouts): Promise<void>;
};

/** How many earlier business days a register looks back for its own logs at start. */
const EARLIER_DAYS = 7;

/** An earlier business day's log still held by the register: it continues the sequence. */
type EarlierDay = {
  readonly key: SalesLogKey;
  readonly events: readonly PosEvent[];
  readonly posting: DocHandle<PostingRecordDoc>;
  record: PostingRecord | null;
};

type UploadStatus = NonNullable<ConnectionStatusView["lastUpload"]>;
type DownloadStatus = NonNullable<ConnectionStatusView["lastDownload"]>;

const ok: ActionResult = { ok: true };

type Refusal = Extract<ActionResult, { ok: false }>;

function refused(code: string, message: string): Refusal {
  return { ok: false, code, message };
}

/**
 * One register at work: the event-sourced sale state over its sales log, the master data index,
 * operator sign-in and the connection controller. The same session runs in the SolidJS app (with
 * IndexedDB storage) and headless in Node (tests, simulator, benchmarks).
 *
 * Every cashier command is decided by the domain against the folded state, appended to the day's
 * sales log as one change, and applied locally at once: the cashier never waits for the server.
 * While online, each command also expects the server to confirm (through the posting record) that
 * it holds the new events within the switch timeout; otherwise the controller switches offline.
 */
export class RegisterSession implements RegisterCommands {
  readonly #options: RegisterSessionOptions;
  readonly #listeners = new Set<(view: RegisterView) => void>();
  readonly #applier: PackageApplier;
  readonly #businessDay: string;
  #config: StoreConfiguration | null = null;
  #configHandle!: DocHandle<StoreConfigurationDoc>;
  #salesLog!: DocHandle<SalesLogDoc>;
  #posting!: DocHandle<PostingRecordDoc>;
  #replicaStatus!: DocHandle<ReplicaStatusDoc>;
  #postingRecord: PostingRecord | null = null;
  /** Earlier days' logs found in the offline database, oldest first; kept open so they sync. */
  readonly #earlier: EarlierDay[] = [];
  #masterDataLog: DocHandle<unknown> | null = null;
  #state: RegisterState = fold([]);
  #events: PosEvent[] = [];
  #controller: ConnectionController | null = null;
  #operator: Operator | null = null;
  #locked = false;
  #lockouts: SignInLockouts = NO_LOCKOUTS;
  #message: string | null = null;
  #followedLog: string | null = null;
  #download: DownloadStatus | null = null;
  #upload: UploadStatus | null = null;
  #appliedSeq = 0;
  #latestSeq = 0;
  #rowsApplied = 0;
  #packagesApplied = 0;
  #lastError: string | null = null;
  /** Outstanding confirmations: seq of the last event of a command -> confirmation id. */
  readonly #awaiting = new Map<number, string>();
  #uploadWatch: { readonly from: number; readonly through: number; readonly at: number } | null =
    null;
  #view: RegisterView;
  #disposed = false;
  /**
   * False while a register that keeps nothing on its device (no offline support) has not yet
   * seen the server's copy of its day's sales log: after a restart its earlier sales are only
   * there, and a command appended before they arrive would start the sequence and the receipt
   * numbers again.
   */
  #caughtUp = true;
  /** Mode changes that happened before the register caught up, recorded once it has. */
  readonly #deferred: RegisterCommand[] = [];

  private constructor(options: RegisterSessionOptions) {
    this.#options = options;
    this.#businessDay = businessDayOf(options.clock.now(), options.utcOffsetMinutes ?? 0);
    this.#applier = new PackageApplier({ index: options.index, clock: () => options.clock.now() });
    this.#view = this.#buildView();
  }

  /** Opens the register's documents from its offline database and starts following the server. */
  static async open(options: RegisterSessionOptions): Promise<RegisterSession> {
    const session = new RegisterSession(options);
    await session.#start();
    return session;
  }

  get registerId(): string {
    return this.#options.registerId;
  }

  /** The connection controller's mode ("online" until the store configuration is known). */
  get mode(): RegisterConnectionMode {
    return this.#controller?.mode ?? "online";
  }

  /** The folded register state (for tests, the simulator and the manager's comparisons). */
  get state(): RegisterState {
    return this.#state;
  }

  /** Every event in this business day's log, in order. */
  get events(): readonly PosEvent[] {
    return this.#events;
  }

  get salesLogHandle(): DocHandle<SalesLogDoc> {
    return this.#salesLog;
  }

  get salesLogKey(): SalesLogKey {
    return {
      storeId: this.#options.storeId,
      registerId: this.#options.registerId,
      businessDay: this.#businessDay,
    };
  }

  async #start(): Promise<void> {
    const { repo, storeId, registerId } = this.#options;
    const key = this.salesLogKey;
    this.#configHandle = await openStoreConfiguration(repo, storeId);
    this.#salesLog = await openSalesLog(repo, key);
    this.#posting = await openPostingRecord(repo, key);
    this.#replicaStatus = await openReplicaStatus(repo, storeId, registerId);

    await this.#openEarlierDays(key);
    const content = readSalesLog(this.#salesLog.doc(), this.#salesLog.documentId, key);
    this.#events = [...content.events];
    this.#state = fold([...this.#earlier.flatMap((day) => day.events), ...this.#events]);
    this.#appliedSeq = await this.#options.index.appliedSeq();
    await this.#loadLockouts();

    if (!repo.storageSubsystem) {
      this.#caughtUp = false;
      const check = (): void => this.#checkCaughtUp();
      this.#salesLog.on("change", check);
      this.#salesLog.on("remote-heads", check);
    }
    this.#posting.on("change", () => this.#onPostingChanged());
    this.#configHandle.on("change", () => this.#onConfigurationChanged());
    this.#applier.subscribe((status) => this.#onDownload(status));
    this.#onPostingChanged();
    this.#onConfigurationChanged();
    this.#reportHeads();
    this.#publish();
  }

  /**
   * For a register without an offline database: once the retail server's heads for today's
   * sales log are all in the local copy, takes the log's events as the register's own (the
   * sequence and receipt numbers carry on from them) and records the mode changes held back.
   */
  #checkCaughtUp(): void {
    if (this.#caughtUp || this.#disposed) return;
    const local = new Set(this.#salesLog.heads());
    const peers = Object.values(this.#options.repo.peerMetadataByPeerId);
    const serverHeld = peers.some((peer) => {
      if (peer.storageId === undefined) return false;
      const heads = this.#salesLog.getSyncInfo(peer.storageId)?.lastHeads;
      return heads?.every((head) => local.has(head)) === true;
    });
    if (!serverHeld) return;
    this.#caughtUp = true;
    const key = this.salesLogKey;
    const content = readSalesLog(this.#salesLog.doc(), this.#salesLog.documentId, key);
    for (const report of content.quarantined) this.#log("sales log quarantined", report);
    this.#events = [...content.events];
    this.#state = fold(this.#events);
    for (const command of this.#deferred.splice(0)) this.#record(command);
    this.#onPostingChanged();
    this.#publish();
  }

  /**
   * Writes the heads of every document this register holds into its replica status, so the
   * manager view can compare them with the server's copies (one change per call).
   */
  #reportHeads(): void {
    const handles = [this.#configHandle, this.#salesLog, this.#posting, this.#masterDataLog];
    const heads: Record<string, readonly string[]> = {};
    for (const handle of handles) {
      if (handle?.isReady()) heads[handle.documentId] = getHeads(handle.doc());
    }
    updateReplicaStatus(this.#replicaStatus, { at: this.#options.clock.now(), heads });
  }

  /**
   * Opens the register's logs of earlier business days that its offline database holds, so the
   * event sequence and receipt numbers continue across days and restarts (never reused), and
   * offline sales of an earlier day still upload.
   */
  async #openEarlierDays(today: SalesLogKey): Promise<void> {
    const { repo } = this.#options;
    const storage = repo.storageSubsystem;
    if (!storage) return;
    for (let back = EARLIER_DAYS; back >= 1; back--) {
      const key = { ...today, businessDay: addBusinessDays(today.businessDay, -back) };
      if (!(await storage.loadDocData(await salesLogDocumentId(key)))) continue;
      const log = await openSalesLog(repo, key);
      const { events, quarantined } = readSalesLog(log.doc(), log.documentId, key);
      for (const report of quarantined) this.#log("sales log quarantined", report);
      if (events.length === 0) continue;
      const posting = await openPostingRecord(repo, key);
      const day: EarlierDay = { key, events, posting, record: null };
      const refresh = (): void => {
        day.record = readPostingRecord(posting.doc(), posting.documentId, key).record;
      };
      refresh();
      posting.on("change", () => {
        refresh();
        this.#publish();
      });
      this.#earlier.push(day);
    }
  }

  // ---- view -------------------------------------------------------------------------------

  view(): RegisterView {
    return this.#view;
  }

  subscribe(listener: (view: RegisterView) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #publish(): void {
    this.#view = this.#buildView();
    for (const listener of this.#listeners) listener(this.#view);
  }

  #pending(): { sales: number; events: number } {
    const pending = [
      ...this.#earlier.flatMap((day) => pendingUpload(day.events, day.record)),
      ...pendingUpload(this.#events, this.#postingRecord),
    ];
    const sales = pending.filter((event) => event.type === "SaleCompleted").length;
    return { sales, events: pending.length };
  }

  #buildView(): RegisterView {
    const config = this.#config;
    const mode = this.mode;
    const pending = this.#pending();
    const register = config?.registers.find((r) => r.id === this.#options.registerId);
    const last = this.#state.lastCompletedSale;
    return {
      registerId: this.#options.registerId,
      storeId: this.#options.storeId,
      storeName: config?.store.name ?? "",
      currency: config?.store.currency ?? "EUR",
      activated: true,
      offlineSupport: register?.offlineSupport ?? false,
      operator: this.#operator
        ? { id: this.#operator.id, name: this.#operator.name, role: this.#operator.role }
        : null,
      locked: this.#locked,
      shiftOpen: this.#state.openShift !== null,
      sale: this.#state.openSale ? saleView(this.#state.openSale) : null,
      lastReceipt:
        last && this.#lastReceiptSale
          ? {
              ...this.#lastReceiptSale,
              completedAt: last.completedAt,
              storeName: config?.store.name ?? "",
              registerId: this.#options.registerId,
              operatorName: this.#operator?.name ?? "",
              changeDue: last.changeDue,
            }
          : null,
      connection: {
        mode,
        lastDownload: this.#download,
        lastUpload: this.#upload,
        pendingUploadSales: pending.sales,
        pendingUploadEvents: pending.events,
        pendingDownloads: Math.max(0, this.#latestSeq - this.#appliedSeq),
        appliedPackageSeq: this.#appliedSeq,
        latestPackageSeq: this.#latestSeq,
        lastError: this.#lastError,
        storagePersisted: this.#options.storagePersisted ?? null,
      },
      provisioning: {
        packagesApplied: this.#packagesApplied,
        rowsApplied: this.#rowsApplied,
        appliedSeq: this.#appliedSeq,
        latestSeq: this.#latestSeq,
        ready: this.#isProvisioned(),
      },
      operation917Label: operation917Label(mode),
      message: this.#message,
    };
  }

  #lastReceiptSale: SaleView | null = null;

  #isProvisioned(): boolean {
    return this.#config !== null && this.#appliedSeq > 0 && this.#appliedSeq >= this.#latestSeq;
  }

  // ---- replication ------------------------------------------------------------------------

  #onConfigurationChanged(): void {
    const { configuration, quarantined } = readStoreConfiguration(
      this.#configHandle.doc(),
      this.#configHandle.documentId,
      this.#options.storeId,
    );
    for (const report of quarantined) this.#log("store configuration quarantined", report);
    if (!configuration) return;
    this.#config = configuration;
    if (!this.#controller) {
      this.#controller = this.#createController(configuration);
      if (this.#options.checkServerOnStart) this.#checkServer(this.#controller);
    }
    const manifest = configuration.masterDataManifest[configuration.channelDataGroup.id];
    if (manifest && manifest.logDocumentId !== this.#followedLog && this.#mayProvision()) {
      this.#followedLog = manifest.logDocumentId;
      void this.#followLog(manifest.logDocumentId as DocumentId);
    }
    this.#publish();
  }

  /** Whether master data may download now (see `provisionAfterFirstSignIn`). */
  #mayProvision(): boolean {
    return (
      this.#options.provisionAfterFirstSignIn !== true ||
      this.#appliedSeq > 0 ||
      this.#operator !== null
    );
  }

  async #followLog(documentId: DocumentId): Promise<void> {
    for (let attempt = 0; !this.#disposed && this.#followedLog === documentId; attempt++) {
      try {
        const handle = await this.#options.repo.find(documentId);
        const packages = (handle.doc() as { packages?: readonly { seq?: number }[] }).packages;
        this.#latestSeq = Math.max(this.#latestSeq, ...(packages ?? []).map((p) => p.seq ?? 0));
        handle.on("change", () => {
          const list = (handle.doc() as { packages?: readonly { seq?: number }[] }).packages;
          this.#latestSeq = Math.max(this.#latestSeq, ...(list ?? []).map((p) => p.seq ?? 0));
        });
        this.#masterDataLog = handle;
        this.#applier.follow(handle);
        return;
      } catch (error) {
        // Not available yet (no peer connected, or the server has not sent it): try again.
        this.#lastError = `Master data not available yet: ${String(error)}`;
        await new Promise((done) => setTimeout(done, Math.min(5_000, 250 * 2 ** attempt)));
      }
    }
  }

  #onDownload(status: MasterDataDownloadStatus): void {
    this.#appliedSeq = status.appliedSeq;
    this.#latestSeq = Math.max(this.#latestSeq, status.appliedSeq);
    this.#packagesApplied += status.packagesApplied;
    this.#rowsApplied += status.rowsApplied;
    if (status.result !== "up-to-date") {
      this.#download = {
        at: status.finishedAt,
        result:
          status.result === "failed" ? "failed" : status.result === "waiting" ? "partial" : "ok",
        detail: status.error?.message ?? status.result,
        packages: status.packagesApplied,
        rows: status.rowsApplied,
      };
    }
    if (status.error) this.#lastError = status.error.message;
    if (status.result === "applied") {
      updateReplicaStatus(this.#replicaStatus, {
        at: this.#options.clock.now(),
        appliedPackageSeq: status.appliedSeq,
      });
      this.#reportHeads();
    }
    this.#publish();
  }

  #onPostingChanged(): void {
    const { record, quarantined } = readPostingRecord(
      this.#posting.doc(),
      this.#posting.documentId,
      this.salesLogKey,
    );
    for (const report of quarantined) this.#log("posting record quarantined", report);
    if (!record) return;
    this.#postingRecord = record;
    const through = record.acceptedThroughSeq ?? 0;
    for (const [seq, id] of this.#awaiting) {
      if (seq <= through) {
        this.#awaiting.delete(seq);
        this.#controller?.confirm(id);
      }
    }
    const watch = this.#uploadWatch;
    if (watch && through >= watch.through) {
      this.#upload = {
        at: this.#options.clock.now(),
        result: "ok",
        detail: `uploaded through seq ${through}`,
        events: watch.through - watch.from + 1,
      };
      this.#uploadWatch = null;
    }
    this.#publish();
  }

  #createController(configuration: StoreConfiguration): ConnectionController {
    const register = configuration.registers.find((r) => r.id === this.#options.registerId);
    const byId = (id: string | null | undefined) =>
      id ? configuration.offlineProfiles.find((p) => p.id === id) : undefined;
    const profile = resolveOfflineProfile(
      byId(configuration.defaultOfflineProfileId),
      byId(register?.offlineProfileId),
    );
    const controller = new ConnectionController({
      profile,
      offlineSupport: register?.offlineSupport ?? false,
      clock: this.#options.clock,
      probe: (signal) => this.#options.server.health(signal),
      onEffect: {
        modeChanged: (change) => {
          const event = modeChangedEvent(change);
          if (event) {
            this.#record({ type: "recordModeChange", to: event.to, reason: event.reason });
            updateReplicaStatus(this.#replicaStatus, {
              at: this.#options.clock.now(),
              modeChange: { from: event.from, to: event.to, reason: event.reason },
            });
          }
          this.#publish();
        },
        connectNetwork: () => this.#options.link.heal(),
        disconnectNetwork: () => {
          this.#awaiting.clear();
          this.#options.link.cut();
        },
        uploadPending: () => this.#startUploadWatch(),
      },
      onHookError: (error) => this.#log("connection hook failed", { error: String(error) }),
    });
    controller.subscribe(() => this.#publish());
    return controller;
  }

  #checkServer(controller: ConnectionController): void {
    const abort = new AbortController();
    controller
      .trackRequest("server-request", this.#options.server.health(abort.signal))
      .catch(() => abort.abort());
  }

  #startUploadWatch(): void {
    const pending = pendingUpload(this.#events, this.#postingRecord);
    const first = pending[0];
    const last = pending[pending.length - 1];
    if (!first || !last) return;
    this.#uploadWatch = { from: first.seq, through: last.seq, at: this.#options.clock.now() };
  }

  // ---- commands -----------------------------------------------------------------------------

  /** Runs a domain command without an operator check (mode changes are the register's own). */
  #record(command: RegisterCommand): ActionResult {
    const operator = this.#operator ?? SYSTEM_OPERATOR;
    return this.#execute(command, operator);
  }

  #context(operator: Operator): CommandContext {
    const config = this.#config;
    const operators = config?.operators ?? [];
    return {
      registerId: this.#options.registerId,
      storeId: this.#options.storeId,
      now: this.#options.clock.now(),
      newId: this.#options.newId,
      operator,
      online: this.mode === "online",
      pricesIncludeTax: config?.store.pricesIncludeTax ?? true,
      findOperator: (id) => operators.find((o) => o.id === id),
    };
  }

  #execute(command: RegisterCommand, operator: Operator): ActionResult {
    if (!this.#caughtUp) {
      if (command.type === "recordModeChange") {
        this.#deferred.push(command);
        return ok;
      }
      return this.#refuse(
        "SALES_LOG_LOADING",
        "This register's sales of today are still loading from the retail server. Try again in a moment.",
      );
    }
    const result = executeCommand(this.#state, command, this.#context(operator));
    if (!result.ok) {
      this.#message = result.error.message;
      this.#publish();
      return refused(result.error.code, result.error.message);
    }
    if (result.events.length === 0) return ok;
    // The receipt shows the sale as it stood when it was completed.
    if (command.type === "completeSale" && this.#state.openSale) {
      this.#lastReceiptSale = saleView(this.#state.openSale);
    }
    appendToSalesLog(this.#salesLog, result.events);
    for (const event of result.events) {
      this.#events.push(event);
      this.#state = apply(this.#state, event);
    }
    this.#reportHeads();
    this.#message = null;
    const last = result.events[result.events.length - 1]!;
    if (this.#controller?.mode === "online" && command.type !== "recordModeChange") {
      this.#awaiting.set(last.seq, last.id);
      this.#controller.expectConfirmation(last.id);
      if ((this.#postingRecord?.acceptedThroughSeq ?? 0) >= last.seq) this.#onPostingChanged();
    }
    this.#publish();
    return ok;
  }

  /**
   * Guards every cashier command: signed in, unlocked, master data in. Only the first download
   * gates selling: a later distribution run applies in the background while the cashier sells
   * on with the master data already applied.
   */
  #cashier(): Operator | Refusal {
    if (!this.#operator) return refused("NOT_SIGNED_IN", "Sign in with your operator ID and PIN.");
    if (this.#locked)
      return refused("REGISTER_LOCKED", "The register is locked. Sign in to unlock.");
    if (this.#config === null || this.#appliedSeq === 0) {
      return refused(
        "NOT_PROVISIONED",
        "Master data is still downloading to this register. Selling starts once it is in.",
      );
    }
    return this.#operator;
  }

  async #ensureSale(operator: Operator): Promise<ActionResult> {
    if (this.#state.openSale) return ok;
    const controller = this.#controller;
    if (controller) await controller.beforeTransaction();
    if (controller?.mode === "unavailable") {
      return this.#refuse(
        "SERVER_UNAVAILABLE",
        "The retail server is unavailable and this register has no offline support: new sales cannot start until it is back.",
      );
    }
    return this.#execute({ type: "startSale" }, operator);
  }

  #refuse(code: string, message: string): ActionResult {
    this.#message = message;
    this.#publish();
    return refused(code, message);
  }

  async activate(_code: string): Promise<ActionResult> {
    return refused("ALREADY_ACTIVATED", "This register is already activated.");
  }

  async signIn(operatorId: string, pin: string): Promise<ActionResult> {
    const operators = this.#config?.operators;
    if (!operators) {
      return this.#refuse(
        "NOT_CONFIGURED",
        "The store configuration has not reached this register yet. Check the connection to the retail server.",
      );
    }
    const result = await signIn({
      registerId: this.#options.registerId,
      operatorId,
      pin,
      operators,
      lockouts: this.#lockouts,
      now: this.#options.clock.now(),
    });
    this.#lockouts = result.lockouts;
    await this.#options.lockoutStore?.save(result.lockouts).catch((error: unknown) => {
      this.#log("sign-in lockouts not saved", { error: String(error) });
    });
    if (!result.ok) return this.#refuse(result.error.code, result.error.message);
    this.#operator = result.operator;
    this.#locked = false;
    this.#message = null;
    // The first sign-in starts offline provisioning when the register waits for it.
    this.#onConfigurationChanged();
    this.#publish();
    return ok;
  }

  async signOut(): Promise<ActionResult> {
    if (this.#state.openSale) {
      return this.#refuse("SALE_OPEN", "Complete or void the open sale before signing out.");
    }
    this.#operator = null;
    this.#locked = false;
    this.#publish();
    return ok;
  }

  async lock(): Promise<ActionResult> {
    if (!this.#operator) return refused("NOT_SIGNED_IN", "Nobody is signed in.");
    this.#locked = true;
    this.#publish();
    return ok;
  }

  async scan(barcode: string, quantity = 1): Promise<ActionResult> {
    const product = await this.#options.index.productByBarcode(barcode.trim());
    if (!product) return this.#refuse("UNKNOWN_BARCODE", `No product has the barcode ${barcode}.`);
    return this.#addProduct(product, quantity, barcode.trim());
  }

  async addProduct(productId: string, quantity = 1): Promise<ActionResult> {
    const product = await this.#options.index.productById(productId);
    if (!product) return this.#refuse("UNKNOWN_PRODUCT", `No product has the id ${productId}.`);
    return this.#addProduct(product, quantity, null);
  }

  async #addProduct(
    product: Product,
    quantity: number,
    barcode: string | null,
  ): Promise<ActionResult> {
    const operator = this.#cashier();
    if ("ok" in operator) return this.#refuse(operator.code, operator.message);
    const taxGroup = await this.#taxGroup(product.taxGroupId);
    if (!taxGroup) {
      return this.#refuse(
        "UNKNOWN_TAX_GROUP",
        `Tax group ${product.taxGroupId} of ${product.name} is missing from master data.`,
      );
    }
    const started = await this.#ensureSale(operator);
    if (!started.ok) return started;
    return this.#execute({ type: "addLine", product, taxGroup, quantity, barcode }, operator);
  }

  async #taxGroup(id: string): Promise<TaxGroup | undefined> {
    const fromConfig = this.#config?.taxGroups.find((group) => group.id === id);
    if (fromConfig) return fromConfig;
    return (await this.#options.index.taxGroups()).find((group) => group.id === id);
  }

  /** Exact barcode or product id first, then active products whose name holds every word. */
  async searchProducts(text: string, limit = 20): Promise<readonly ProductHit[]> {
    const needle = text.trim();
    if (needle === "") return [];
    const index = this.#options.index;
    const exact = [await index.productByBarcode(needle), await index.productById(needle)];
    const found = [
      ...exact.filter((p) => p !== undefined),
      ...(await index.searchProducts(needle, limit)),
    ];
    const hits: ProductHit[] = [];
    for (const product of found) {
      if (hits.length >= limit) break;
      if (hits.some((hit) => hit.id === product.id)) continue;
      hits.push({
        id: product.id,
        name: product.name,
        barcode: product.barcodes[0] ?? null,
        price: product.price,
      });
    }
    return hits;
  }

  async searchCustomers(text: string, limit = 20): Promise<readonly CustomerHit[]> {
    const customers = await this.#options.index.searchCustomers(text, limit);
    return customers.map((customer) => ({ id: customer.id, name: customer.name }));
  }

  async changeQuantity(lineId: string, quantity: number): Promise<ActionResult> {
    return this.#saleCommand({ type: "changeQuantity", lineId, quantity });
  }

  async voidLine(lineId: string): Promise<ActionResult> {
    return this.#saleCommand({ type: "voidLine", lineId });
  }

  async #approver(managerId?: string, managerPin?: string): Promise<string | null | ActionResult> {
    if (managerId === undefined || managerId === "") return null;
    const manager = this.#config?.operators.find((o) => o.id === managerId);
    if (!manager || managerPin === undefined || !(await verifyPin(managerPin, manager.pinHash))) {
      return this.#refuse("MANAGER_PIN_INVALID", "The manager ID or PIN is not right. Try again.");
    }
    return manager.id;
  }

  async applyDiscount(input: {
    lineId: string | null;
    kind: "percent" | "amount";
    value: number;
    managerId?: string;
    managerPin?: string;
  }): Promise<ActionResult> {
    const approvedBy = await this.#approver(input.managerId, input.managerPin);
    if (approvedBy !== null && typeof approvedBy === "object") return approvedBy;
    return this.#saleCommand({
      type: "applyDiscount",
      lineId: input.lineId,
      kind: input.kind,
      value: input.value,
      approvedBy,
    });
  }

  async attachCustomer(customerId: string): Promise<ActionResult> {
    const customer = await this.#options.index.customerById(customerId);
    if (!customer) return this.#refuse("UNKNOWN_CUSTOMER", `No customer has the id ${customerId}.`);
    return this.#saleCommand({ type: "attachCustomer", customer });
  }

  async pay(tenderKind: TenderKind, amount: number): Promise<ActionResult> {
    const online = onlineOperationForTender(tenderKind);
    if (online) {
      const refusal = checkOnlineOperation(this.mode, online);
      if (refusal) return this.#refuse(refusal.code, refusal.message);
    }
    const tender =
      this.#config?.tenderTypes.find((t) => t.kind === tenderKind) ??
      (await this.#options.index.tenderTypes()).find((t) => t.kind === tenderKind);
    if (!tender) return this.#refuse("UNKNOWN_TENDER", `This store does not take ${tenderKind}.`);
    return this.#saleCommand({ type: "addPayment", tender, amount });
  }

  async completeSale(): Promise<ActionResult> {
    return this.#saleCommand({ type: "completeSale" });
  }

  async voidSale(reason: string, managerId?: string, managerPin?: string): Promise<ActionResult> {
    const approvedBy = await this.#approver(managerId, managerPin);
    if (approvedBy !== null && typeof approvedBy === "object") return approvedBy;
    return this.#saleCommand({ type: "voidSale", reason, approvedBy });
  }

  async addReturnLine(input: {
    productId: string;
    quantity: number;
    originalReceipt: string | null;
    managerId?: string;
    managerPin?: string;
  }): Promise<ActionResult> {
    const operator = this.#cashier();
    if ("ok" in operator) return this.#refuse(operator.code, operator.message);
    const approvedBy = await this.#approver(input.managerId, input.managerPin);
    if (approvedBy !== null && typeof approvedBy === "object") return approvedBy;
    let command: RegisterCommand;
    if (input.originalReceipt !== null) {
      if (!this.#state.completedSales[input.originalReceipt]) {
        const refusal = checkOnlineOperation(this.mode, "return-without-local-receipt");
        if (refusal) return this.#refuse(refusal.code, refusal.message);
      }
      command = {
        type: "addReturnLine",
        kind: "receipt",
        receiptNumber: input.originalReceipt,
        productId: input.productId,
        quantity: input.quantity,
        approvedBy,
      };
    } else {
      const product = await this.#options.index.productById(input.productId);
      if (!product)
        return this.#refuse("UNKNOWN_PRODUCT", `No product has the id ${input.productId}.`);
      const taxGroup = await this.#taxGroup(product.taxGroupId);
      if (!taxGroup)
        return this.#refuse("UNKNOWN_TAX_GROUP", `Tax group ${product.taxGroupId} is missing.`);
      command = {
        type: "addReturnLine",
        kind: "blind",
        product,
        taxGroup,
        quantity: input.quantity,
        approvedBy,
      };
    }
    const started = await this.#ensureSale(operator);
    if (!started.ok) return started;
    return this.#execute(command, operator);
  }

  async #saleCommand(command: RegisterCommand): Promise<ActionResult> {
    const operator = this.#cashier();
    if ("ok" in operator) return this.#refuse(operator.code, operator.message);
    return this.#execute(command, operator);
  }

  async openShift(openingFloat: number): Promise<ActionResult> {
    return this.#saleCommand({ type: "openShift", openingFloat });
  }

  async declareCash(amount: number): Promise<ActionResult> {
    return this.#saleCommand({ type: "declareCash", amount });
  }

  async closeShift(): Promise<ActionResult> {
    return this.#saleCommand({ type: "closeShift" });
  }

  /**
   * The X report of the open shift (or of sales made outside a shift), computed from this
   * register's own events with the same projection the server uses, so it works offline.
   */
  async xReport(): Promise<XReportView> {
    const events = [...this.#earlier.flatMap((day) => day.events), ...this.#events];
    const projection = new ChannelProjection();
    projection.ingestAll(events);
    const shiftId = this.#state.openShift?.shiftId ?? null;
    const report = projection.xReport(this.#options.registerId, shiftId);
    const completed = new Set(
      events.flatMap((event) => (event.type === "SaleCompleted" ? [event.saleId] : [])),
    );
    const byKind = new Map<TenderTotalView["tenderKind"], { count: number; amount: number }>();
    for (const event of events) {
      if (event.type !== "PaymentAdded" || !completed.has(event.saleId)) continue;
      const entry = byKind.get(event.tenderKind) ?? { count: 0, amount: 0 };
      entry.count += 1;
      byKind.set(event.tenderKind, entry);
    }
    for (const takings of report.byTender) {
      const entry = byKind.get(takings.tenderKind) ?? { count: 0, amount: 0 };
      entry.amount += takings.amount;
      byKind.set(takings.tenderKind, entry);
    }
    return {
      generatedAt: this.#options.clock.now(),
      registerId: this.#options.registerId,
      operatorName: this.#operator?.name ?? "",
      shiftOpenedAt: report.openedAt,
      salesCount: report.salesCount,
      returnsCount: report.returnedUnits,
      voidedSalesCount: report.voidedSales,
      grossSales: report.gross,
      discounts: report.discounts,
      returns: report.returns,
      tax: report.tax,
      netSales: report.net,
      byTender: [...byKind].map(([tenderKind, { count, amount }]) => ({
        tenderKind,
        count,
        amount,
      })),
      openingFloat: report.openingFloat,
      expectedCash: report.cashExpected,
      declaredCash: report.cashDeclared,
    };
  }

  async operation917(): Promise<ActionResult> {
    const controller = this.#controller;
    if (!controller) {
      return this.#refuse(
        "NOT_CONFIGURED",
        "The store configuration has not reached this register yet.",
      );
    }
    const result = await controller.pressOperation917({ saleOpen: this.#state.openSale !== null });
    if (result.kind === "refused" || result.kind === "connect-failed") {
      return this.#refuse(result.code, result.message);
    }
    this.#message = null;
    this.#publish();
    return ok;
  }

  async syncNow(): Promise<ActionResult> {
    if (this.mode !== "online") {
      return this.#refuse(
        "NOT_CONNECTED",
        "The register is offline. Press Connect (917) or start a transaction after the reconnect interval.",
      );
    }
    this.#startUploadWatch();
    await this.#applier.sync();
    this.#publish();
    return ok;
  }

  async cutNetwork(): Promise<void> {
    this.#options.link.cut();
    this.#controller?.connectionLost();
  }

  async healNetwork(): Promise<void> {
    this.#options.link.heal();
  }

  /** Stops following the server; the repo and index are the caller's to close. */
  async close(): Promise<void> {
    this.#disposed = true;
    this.#controller?.dispose();
    await this.#applier.close();
  }

  async #loadLockouts(): Promise<void> {
    const store = this.#options.lockoutStore;
    if (store === undefined) return;
    try {
      const stored = await store.load();
      if (stored !== undefined) this.#lockouts = parseSignInLockouts(stored);
    } catch (error) {
      this.#log("stored sign-in lockouts unreadable; starting without locks", {
        error: String(error),
      });
    }
  }

  #log(message: string, detail: object): void {
    this.#options.log?.(message, { ...detail });
  }
}

/** The register itself, as the author of its own audit events (mode changes). */
const SYSTEM_OPERATOR: Operator = {
  id: "register",
  name: "Register",
  role: "cashier",
  permissions: [],
  maxDiscountBp: 0,
  pinHash: { algorithm: "PBKDF2-SHA256", iterations: 1_000, salt: "", hash: "" },
};

function saleView(sale: OpenSale): SaleView {
  return {
    saleId: sale.saleId,
    receiptNumber: sale.receiptNumber,
    lines: sale.lines.map((line) => ({
      lineId: line.lineId,
      productId: line.productId,
      name: line.name,
      quantity: line.quantity,
      unitPrice: line.unitPrice,
      amount: line.amounts.total,
      voided: line.voided,
      isReturn: line.kind === "return",
    })),
    payments: sale.payments.map((payment) => ({
      paymentId: payment.paymentId,
      tenderKind: payment.tenderKind,
      amount: payment.amount,
    })),
    customer: sale.customer ? { id: sale.customer.customerId, name: sale.customer.name } : null,
    subtotal: sale.totals.gross,
    discount: sale.totals.discount,
    tax: sale.totals.tax,
    total: sale.totals.total,
    paid: sale.paid,
    due: sale.amountDue,
    changeDue: sale.change,
  };
}
