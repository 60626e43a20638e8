import * as Automerge from "@automerge/automerge";
import type { DocHandle, Repo } from "@automerge/automerge-repo";
import type { ConnectionMode, PosEvent } from "../../../domain/events.ts";
import { namedDocumentId } from "../../../replication/documents/document-ids.ts";
import {
  openPostingRecord,
  type PostingRecord,
  readPostingRecord,
} from "../../../replication/documents/posting-record.ts";
import {
  type ModeChange,
  openReplicaStatus,
  type ReplicaStatus,
  readReplicaStatus,
} from "../../../replication/documents/replica-status.ts";
import {
  openSalesLog,
  readSalesLog,
  type SalesLogDoc,
  type SalesLogKey,
  salesLogName,
} from "../../../replication/documents/sales-log.ts";
import {
  openStoreConfiguration,
  type StoreConfiguration,
} from "../../../replication/documents/store-configuration.ts";
import {
  lastSeq,
  type MasterDataLogDoc,
} from "../../../replication/master-data/master-data-log.ts";
import { UnknownRegisterError } from "../errors.ts";
import {
  type ComparedDocumentKind,
  type DaySummary,
  type DocumentState,
  documentState,
  type EndOfDayBlocker,
  endOfDayBlockers,
  gapBetweenDays,
  heldNotPosted,
  type RegisterBadge,
  registerBadge,
  summariseDay,
} from "./replica-comparison.ts";

/**
 * Reads the retail server's documents to answer the manager's questions about each register:
 * its row in the registers table, the document-by-document comparison, the events one side
 * lacks, and the end-of-day blockers. The register's side is what it reported in its replica
 * status (mode, package applied, heads of its documents); the server's side is its own copy of
 * the same documents and the posting records. Nothing here writes a register's document.
 */

export type ReplicaInspectorOptions = {
  readonly repo: Repo;
  readonly storeId: string;
  /** The store configuration as written (registers, names, offline support). */
  readonly configuration: () => StoreConfiguration;
  /** The current master data log; undefined before the first distribution. */
  readonly masterDataLog: () => DocHandle<MasterDataLogDoc> | undefined;
  /** Business days whose logs the server follows for a register. */
  readonly followedDays: (registerId: string) => readonly string[];
  /** Today's business day at the store. */
  readonly today: () => string;
};

/** What is pending between a register and the channel database. */
export type PendingUpload = {
  /** Heads the register reported that the server does not hold (changes not received). */
  readonly headsServerLacks: number;
  /** Business days whose sales log has changes the server has not received. */
  readonly daysWithChangesNotReceived: readonly string[];
  /** Events the server holds but has not posted, and how many of them complete a sale. */
  readonly eventsHeldNotPosted: number;
  readonly salesHeldNotPosted: number;
};

/** One row of the registers table. */
export type RegisterRow = {
  readonly registerId: string;
  readonly name: string;
  readonly offlineSupport: boolean;
  readonly badge: RegisterBadge;
  /** Mode as last reported; null when the register never reported. */
  readonly mode: ConnectionMode | null;
  /** When the register last wrote its replica status (epoch ms); null: never. */
  readonly lastSeenAt: number | null;
  readonly modeChanges: readonly ModeChange[];
  readonly appliedPackageSeq: number | null;
  readonly latestPackageSeq: number;
  readonly pending: PendingUpload;
  /** Completed sales and events the channel database has posted, over the followed days. */
  readonly posted: { readonly events: number; readonly sales: number };
};

/** One document compared by heads. */
export type DocumentComparison = {
  readonly kind: ComparedDocumentKind | "other";
  readonly documentId: string;
  readonly businessDay: string | null;
  /** As reported by the register; null when it reported none for this document. */
  readonly registerHeads: readonly string[] | null;
  /** Null when the server does not hold the document. */
  readonly serverHeads: readonly string[] | null;
  /** Reported heads the server does not hold: changes only the register has. */
  readonly registerOnlyHeads: readonly string[];
  /** Changes the server holds beyond the reported heads; null when that cannot be known. */
  readonly serverOnlyChanges: number | null;
  readonly state: DocumentState;
};

/** One business day side by side. */
export type DayComparison = {
  readonly businessDay: string;
  /** The log at the heads the register reported; null when the server lacks them. */
  readonly register: DaySummary | null;
  /** The server's copy of the log. */
  readonly server: DaySummary;
  /** What the channel database has posted (events through the posting record's seq). */
  readonly posted: DaySummary;
  readonly acceptedThroughSeq: number | null;
  /** Receipt numbers missing between the previous day's last receipt and this day's first. */
  readonly receiptGapBefore: readonly number[];
};

export type RegisterComparison = {
  readonly register: RegisterRow;
  readonly documents: readonly DocumentComparison[];
  readonly days: readonly DayComparison[];
};

/** An event in a drill-down listing. */
export type EventBrief = {
  readonly id: string;
  readonly seq: number;
  readonly type: PosEvent["type"];
  readonly at: number;
  readonly saleId: string | null;
  readonly receiptNumber: string | null;
};

/** The events of one register-day one side lacks. */
export type MissingEvents = {
  readonly registerId: string;
  readonly businessDay: string;
  /** In the server's copy of the log but not posted in the channel database. */
  readonly notPosted: readonly EventBrief[];
  /** In the server's copy beyond the heads the register last reported. */
  readonly notReportedByRegister: readonly EventBrief[];
  /** Heads of changes only the register holds: their events are known once they upload. */
  readonly notReceivedHeads: readonly string[];
};

export type EndOfDay = {
  readonly clean: boolean;
  readonly blockers: readonly EndOfDayBlocker[];
};

type DayDocuments = {
  readonly key: SalesLogKey;
  readonly log: DocHandle<SalesLogDoc>;
  readonly postingId: string;
  readonly posting: PostingRecord | null;
  readonly postingHeads: readonly string[];
};

type Gathered = {
  readonly row: RegisterRow;
  readonly status: ReplicaStatus | null;
  readonly statusHeads: readonly string[];
  readonly statusDocumentId: string;
  readonly days: readonly DayDocuments[];
};

const NOT_REPORTED: Readonly<Record<string, readonly string[]>> = {};

export class ReplicaInspector {
  readonly #options: ReplicaInspectorOptions;

  constructor(options: ReplicaInspectorOptions) {
    this.#options = options;
  }

  /** One row per register of the store configuration, in its order. */
  async registers(): Promise<RegisterRow[]> {
    const rows: RegisterRow[] = [];
    for (const register of this.#options.configuration().registers) {
      rows.push((await this.#gather(register.id)).row);
    }
    return rows;
  }

  /** The document-by-document comparison of one register; unknown registers throw. */
  async compare(registerId: string): Promise<RegisterComparison> {
    const gathered = await this.#gather(registerId);
    const reported = gathered.status?.heads ?? NOT_REPORTED;
    const documents: DocumentComparison[] = [];
    const known = new Set<string>([gathered.statusDocumentId]);

    const configuration = await openStoreConfiguration(this.#options.repo, this.#options.storeId);
    known.add(configuration.documentId);
    documents.push(
      compareDocument(
        "store-configuration",
        configuration,
        null,
        reported[configuration.documentId],
      ),
    );
    const log = this.#options.masterDataLog();
    if (log !== undefined) {
      known.add(log.documentId);
      documents.push(compareDocument("master-data-log", log, null, reported[log.documentId]));
    }
    const days: DayComparison[] = [];
    let previous: DaySummary | null = null;
    for (const day of gathered.days) {
      known.add(day.log.documentId);
      known.add(day.postingId);
      const logComparison = compareDocument(
        "sales-log",
        day.log,
        day.key.businessDay,
        reported[day.log.documentId],
      );
      documents.push(logComparison);
      const postingHandle = this.#options.repo.handles[day.postingId as never];
      documents.push(
        postingHandle?.isReady()
          ? compareDocument(
              "posting-record",
              postingHandle,
              day.key.businessDay,
              reported[day.postingId],
            )
          : absentDocument("posting-record", day.postingId, day.key.businessDay, reported),
      );
      const serverEvents = readEvents(day.log.doc(), day);
      const atRegister = reported[day.log.documentId];
      const registerEvents =
        atRegister !== undefined && logComparison.registerOnlyHeads.length === 0
          ? readEvents(Automerge.view(day.log.doc(), [...atRegister]), day)
          : null;
      const through = day.posting?.acceptedThroughSeq ?? null;
      const server = summariseDay(serverEvents);
      days.push({
        businessDay: day.key.businessDay,
        register: registerEvents === null ? null : summariseDay(registerEvents),
        server,
        posted: summariseDay(
          through === null ? [] : serverEvents.filter((event) => event.seq <= through),
        ),
        acceptedThroughSeq: through,
        receiptGapBefore: previous === null ? [] : gapBetweenDays(previous, server),
      });
      if (server.lastReceipt !== null) previous = server;
    }
    documents.push({
      kind: "replica-status",
      documentId: gathered.statusDocumentId,
      businessDay: null,
      registerHeads: null,
      serverHeads: gathered.statusHeads,
      registerOnlyHeads: [],
      serverOnlyChanges: null,
      state: "not-reported",
    });
    for (const [documentId, heads] of Object.entries(reported)) {
      if (known.has(documentId)) continue;
      const handle = this.#options.repo.handles[documentId as never];
      documents.push(
        handle?.isReady()
          ? compareDocument("other", handle, null, heads)
          : absentDocument("other", documentId, null, reported),
      );
    }
    return { register: gathered.row, documents, days };
  }

  /** The events of one register-day one side lacks. */
  async missing(registerId: string, businessDay: string): Promise<MissingEvents> {
    this.#register(registerId);
    const { repo, storeId } = this.#options;
    const key: SalesLogKey = { storeId, registerId, businessDay };
    const log = await openSalesLog(repo, key);
    const posting = await openPostingRecord(repo, key);
    const record = readPostingRecord(posting.doc(), posting.documentId, key).record;
    const status = await this.#status(registerId);
    const day: DayDocuments = {
      key,
      log,
      postingId: posting.documentId,
      posting: record,
      postingHeads: Automerge.getHeads(posting.doc()),
    };
    const events = readEvents(log.doc(), day);
    const reported = status.status?.heads[log.documentId];
    const notReceivedHeads = (reported ?? []).filter(
      (hash) => !Automerge.hasHeads(log.doc(), [hash]),
    );
    let notReportedByRegister: readonly PosEvent[] = [];
    if (reported !== undefined && notReceivedHeads.length === 0) {
      const atRegister = new Set(
        readEvents(Automerge.view(log.doc(), [...reported]), day).map((event) => event.id),
      );
      notReportedByRegister = events.filter((event) => !atRegister.has(event.id));
    }
    return {
      registerId,
      businessDay,
      notPosted: heldNotPosted(events, record?.acceptedThroughSeq ?? null).map(brief),
      notReportedByRegister: notReportedByRegister.map(brief),
      notReceivedHeads,
    };
  }

  /** Which registers block a clean end of day. */
  async endOfDay(): Promise<EndOfDay> {
    const rows = await this.registers();
    const blockers = endOfDayBlockers(
      rows.map((row) => ({
        registerId: row.registerId,
        badge: row.badge,
        mode: row.mode,
        headsServerLacks: row.pending.headsServerLacks,
        eventsHeldNotPosted: row.pending.eventsHeldNotPosted,
        salesHeldNotPosted: row.pending.salesHeldNotPosted,
      })),
    );
    return { clean: blockers.length === 0, blockers };
  }

  #register(registerId: string): StoreConfiguration["registers"][number] {
    const register = this.#options.configuration().registers.find((r) => r.id === registerId);
    if (register === undefined) throw new UnknownRegisterError(registerId);
    return register;
  }

  async #status(registerId: string): Promise<{
    readonly status: ReplicaStatus | null;
    readonly heads: readonly string[];
    readonly documentId: string;
  }> {
    const handle = await openReplicaStatus(this.#options.repo, this.#options.storeId, registerId);
    return {
      status: readReplicaStatus(handle.doc(), handle.documentId).status,
      heads: Automerge.getHeads(handle.doc()),
      documentId: handle.documentId,
    };
  }

  async #gather(registerId: string): Promise<Gathered> {
    const register = this.#register(registerId);
    const { repo, storeId } = this.#options;
    const {
      status,
      heads: statusHeads,
      documentId: statusDocumentId,
    } = await this.#status(registerId);
    const reported = status?.heads ?? NOT_REPORTED;
    const dayNames = [
      ...new Set([...this.#options.followedDays(registerId), this.#options.today()]),
    ]
      .sort()
      .filter((day) => day !== "");
    const days: DayDocuments[] = [];
    let headsServerLacks = 0;
    const daysWithChangesNotReceived: string[] = [];
    let eventsHeldNotPosted = 0;
    let salesHeldNotPosted = 0;
    let postedEvents = 0;
    let postedSales = 0;
    for (const businessDay of dayNames) {
      const key: SalesLogKey = { storeId, registerId, businessDay };
      const log = await openSalesLog(repo, key);
      const postingId = await namedDocumentId({
        kind: "posting-record",
        parts: salesLogName(key).parts,
      });
      const postingHandle = repo.handles[postingId];
      const posting = postingHandle?.isReady()
        ? readPostingRecord(postingHandle.doc() as never, postingId, key).record
        : null;
      const day: DayDocuments = {
        key,
        log,
        postingId,
        posting,
        postingHeads: postingHandle?.isReady() ? Automerge.getHeads(postingHandle.doc()) : [],
      };
      days.push(day);
      const lacking = (reported[log.documentId] ?? []).filter(
        (hash) => !Automerge.hasHeads(log.doc(), [hash]),
      ).length;
      if (lacking > 0) daysWithChangesNotReceived.push(businessDay);
      headsServerLacks += lacking;
      const events = readEvents(log.doc(), day);
      const waiting = heldNotPosted(events, posting?.acceptedThroughSeq ?? null);
      eventsHeldNotPosted += waiting.length;
      salesHeldNotPosted += waiting.filter((event) => event.type === "SaleCompleted").length;
      postedEvents += events.length - waiting.length;
      postedSales +=
        events.filter((event) => event.type === "SaleCompleted").length -
        waiting.filter((event) => event.type === "SaleCompleted").length;
    }
    const log = this.#options.masterDataLog();
    const latestPackageSeq = log?.isReady() ? lastSeq(log.doc()) : 0;
    const appliedPackageSeq = status?.appliedPackageSeq ?? null;
    const row: RegisterRow = {
      registerId,
      name: register.name,
      offlineSupport: register.offlineSupport,
      badge: registerBadge({
        appliedPackageSeq,
        latestPackageSeq,
        headsServerLacks,
        eventsHeldNotPosted,
      }),
      mode: status !== null && status.lastSeenAt > 0 ? status.mode : null,
      lastSeenAt: status !== null && status.lastSeenAt > 0 ? status.lastSeenAt : null,
      modeChanges: status?.modeChanges ?? [],
      appliedPackageSeq,
      latestPackageSeq,
      pending: {
        headsServerLacks,
        daysWithChangesNotReceived,
        eventsHeldNotPosted,
        salesHeldNotPosted,
      },
      posted: { events: postedEvents, sales: postedSales },
    };
    return { row, status, statusHeads, statusDocumentId, days };
  }
}

function readEvents(doc: SalesLogDoc, day: DayDocuments): readonly PosEvent[] {
  return readSalesLog(doc, day.log.documentId, day.key).events;
}

function compareDocument(
  kind: ComparedDocumentKind | "other",
  handle: DocHandle<unknown>,
  businessDay: string | null,
  reported: readonly string[] | undefined,
): DocumentComparison {
  const doc = handle.doc() as Automerge.Doc<unknown>;
  const serverHeads = Automerge.getHeads(doc);
  if (reported === undefined) {
    return {
      kind,
      documentId: handle.documentId,
      businessDay,
      registerHeads: null,
      serverHeads,
      registerOnlyHeads: [],
      serverOnlyChanges: null,
      state: "not-reported",
    };
  }
  const registerOnlyHeads = reported.filter((hash) => !Automerge.hasHeads(doc, [hash]));
  const serverOnlyChanges =
    registerOnlyHeads.length === 0
      ? Automerge.getChangesMetaSince(doc, [...reported]).length
      : null;
  return {
    kind,
    documentId: handle.documentId,
    businessDay,
    registerHeads: reported,
    serverHeads,
    registerOnlyHeads,
    serverOnlyChanges,
    state: documentState({
      reported: true,
      registerOnly: registerOnlyHeads.length,
      serverOnlyChanges,
    }),
  };
}

function absentDocument(
  kind: ComparedDocumentKind | "other",
  documentId: string,
  businessDay: string | null,
  reported: Readonly<Record<string, readonly string[]>>,
): DocumentComparison {
  const heads = reported[documentId];
  return {
    kind,
    documentId,
    businessDay,
    registerHeads: heads ?? null,
    serverHeads: null,
    registerOnlyHeads: heads ?? [],
    serverOnlyChanges: null,
    state: documentState({
      reported: heads !== undefined,
      registerOnly: heads?.length ?? 0,
      serverOnlyChanges: null,
    }),
  };
}

function brief(event: PosEvent): EventBrief {
  return {
    id: event.id,
    seq: event.seq,
    type: event.type,
    at: event.at,
    saleId: "saleId" in event ? event.saleId : null,
    receiptNumber: event.type === "SaleStarted" ? event.receiptNumber : null,
  };
}
