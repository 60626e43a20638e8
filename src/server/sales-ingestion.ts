import type { DocHandle, Repo } from "@automerge/automerge-repo";
import type { Logger } from "pino";
import { addBusinessDays, businessDayOf } from "../../domain/business-day.ts";
import { ChannelProjection } from "../../domain/channel-projection.ts";
import {
  openPostingRecord,
  type PostingRecordDoc,
  recordPosted,
} from "../../replication/documents/posting-record.ts";
import {
  openReplicaStatus,
  type ReplicaStatusDoc,
  readReplicaStatus,
} from "../../replication/documents/replica-status.ts";
import {
  openSalesLog,
  readSalesLog,
  type SalesLogDoc,
  type SalesLogKey,
  salesLogDocumentId,
} from "../../replication/documents/sales-log.ts";

/**
 * Sales ingestion: the retail server follows every register's sales logs and builds ONE channel
 * projection (journal, stock, X/Z reports) from them, then records on each register-day's
 * posting record how far it has accepted the log, so the register knows what is still pending.
 *
 * For each register it opens the replica status and the sales logs of today, yesterday and every
 * business day the replica status mentions (by the heads it lists), and re-reads a register's
 * logs whenever one of them changes. Events of one register are ingested in `seq` order across
 * days, from seq 1; an event after a gap (an earlier day not received yet) waits until the gap
 * is filled. Every log is read through
 * `readSalesLog`, so invalid or foreign events are logged with the document id and never
 * ingested. After a restart the same stored documents rebuild the same projection.
 */

export type SalesIngestionOptions = {
  readonly repo: Repo;
  readonly storeId: string;
  /** Epoch milliseconds. */
  readonly now: () => number;
  readonly logger: Logger;
  /** The store's offset from UTC, in minutes east. Default 0. */
  readonly utcOffsetMinutes?: number;
  /** How far back the replica status is searched for business days with sales. Default 35. */
  readonly daysBack?: number;
};

type DayState = {
  readonly key: SalesLogKey;
  readonly log: DocHandle<SalesLogDoc>;
  posting: DocHandle<PostingRecordDoc> | undefined;
  /** Highest contiguous seq of the day ingested; null: none. */
  through: number | null;
  count: number;
  quarantined: number;
};

type RegisterState = {
  readonly registerId: string;
  readonly days: Map<string, DayState>;
  status: DocHandle<ReplicaStatusDoc> | undefined;
  /** The register's last ingested seq, across days; 0 before its first event (seq 1). */
  lastSeq: number;
  queue: Promise<void>;
  /** Sales log id -> business day, for the window of days searched. */
  windowIds: { readonly today: string; readonly ids: ReadonlyMap<string, string> } | undefined;
};

export class SalesIngestion {
  readonly projection = new ChannelProjection();
  readonly #options: SalesIngestionOptions;
  readonly #registers = new Map<string, RegisterState>();
  #stopped = false;

  constructor(options: SalesIngestionOptions) {
    this.#options = options;
  }

  /** Today's business day at the store. */
  today(): string {
    return businessDayOf(this.#options.now(), this.#options.utcOffsetMinutes ?? 0);
  }

  /**
   * Opens and reads the documents of `registerId` (idempotent: call it at start, when the
   * register connects, and at each day change). Resolves when what is stored has been ingested.
   */
  scanRegister(registerId: string): Promise<void> {
    const state = this.#state(registerId);
    return this.#enqueue(state, () => this.#scan(state));
  }

  /** {@link scanRegister} for each register. */
  async scanAll(registerIds: readonly string[]): Promise<void> {
    await Promise.all(registerIds.map((registerId) => this.scanRegister(registerId)));
  }

  /** Waits until every scan and ingestion handed over so far is done. */
  async idle(): Promise<void> {
    await Promise.all([...this.#registers.values()].map((state) => state.queue));
  }

  /** Stops following changes. */
  stop(): void {
    this.#stopped = true;
  }

  /** The business days whose logs are followed for a register, oldest first. */
  followedDays(registerId: string): string[] {
    return [...(this.#registers.get(registerId)?.days.keys() ?? [])].sort();
  }

  #state(registerId: string): RegisterState {
    let state = this.#registers.get(registerId);
    if (state === undefined) {
      state = {
        registerId,
        days: new Map(),
        status: undefined,
        lastSeq: 0,
        queue: Promise.resolve(),
        windowIds: undefined,
      };
      this.#registers.set(registerId, state);
    }
    return state;
  }

  #enqueue(state: RegisterState, work: () => Promise<void>): Promise<void> {
    const next = state.queue.then(work).catch((error: unknown) => {
      this.#options.logger.error(
        { err: error, registerId: state.registerId },
        "sales ingestion failed for a register; it is retried on the next change",
      );
    });
    state.queue = next;
    return next;
  }

  async #scan(state: RegisterState): Promise<void> {
    if (this.#stopped) return;
    const { repo, storeId } = this.#options;
    if (state.status === undefined) {
      state.status = await openReplicaStatus(repo, storeId, state.registerId);
      state.status.on("change", () => {
        if (!this.#stopped) void this.scanRegister(state.registerId);
      });
    }
    const today = this.today();
    const days = new Set([today, addBusinessDays(today, -1)]);
    for (const day of await this.#daysInStatus(state, today)) days.add(day);
    for (const businessDay of days) {
      if (state.days.has(businessDay)) continue;
      const key: SalesLogKey = { storeId, registerId: state.registerId, businessDay };
      const log = await openSalesLog(repo, key);
      state.days.set(businessDay, {
        key,
        log,
        posting: undefined,
        through: null,
        count: 0,
        quarantined: 0,
      });
      log.on("change", () => {
        if (!this.#stopped) void this.#enqueue(state, () => this.#ingest(state));
      });
    }
    await this.#ingest(state);
  }

  async #daysInStatus(state: RegisterState, today: string): Promise<string[]> {
    const handle = state.status;
    if (handle === undefined) return [];
    const { status, quarantined } = readReplicaStatus(handle.doc(), handle.documentId);
    if (status === null) {
      if (quarantined.length > 0) {
        this.#options.logger.warn(
          { registerId: state.registerId, quarantined },
          "replica status set aside: invalid",
        );
      }
      return [];
    }
    const listed = Object.keys(status.heads);
    if (listed.length === 0) return [];
    if (state.windowIds?.today !== today) {
      const ids = new Map<string, string>();
      const daysBack = this.#options.daysBack ?? 35;
      for (let offset = -daysBack; offset <= 1; offset++) {
        const businessDay = addBusinessDays(today, offset);
        const id = await salesLogDocumentId({
          storeId: this.#options.storeId,
          registerId: state.registerId,
          businessDay,
        });
        ids.set(id, businessDay);
      }
      state.windowIds = { today, ids };
    }
    const ids = state.windowIds.ids;
    return listed.flatMap((id) => {
      const day = ids.get(id);
      return day === undefined ? [] : [day];
    });
  }

  async #ingest(state: RegisterState): Promise<void> {
    const { logger, repo, now } = this.#options;
    const days = [...state.days.values()].sort((a, b) =>
      a.key.businessDay < b.key.businessDay ? -1 : 1,
    );
    for (const day of days) {
      if (!day.log.isReady()) continue;
      const { events, quarantined } = readSalesLog(day.log.doc(), day.log.documentId, day.key);
      if (quarantined.length > day.quarantined) {
        for (const report of quarantined.slice(day.quarantined)) {
          logger.warn(
            { registerId: state.registerId, documentId: report.documentId, report },
            "sales log item quarantined: not ingested",
          );
        }
        day.quarantined = quarantined.length;
      }
      let ingested = 0;
      let blocked = false;
      for (const event of events) {
        if (event.seq <= state.lastSeq) continue;
        if (event.seq !== state.lastSeq + 1) {
          blocked = true;
          break;
        }
        this.projection.ingest(event);
        state.lastSeq = event.seq;
        day.through = event.seq;
        day.count += 1;
        ingested += 1;
      }
      if (day.through !== null) {
        // The log is on disk before the posting record can say so: an acknowledgement that a
        // crash could take back would make the register drop events from its pending upload.
        if (ingested > 0) await repo.flush([day.log.documentId]);
        day.posting ??= await openPostingRecord(repo, day.key);
        try {
          recordPosted(day.posting, { throughSeq: day.through, count: day.count, at: now() });
        } catch (error) {
          logger.error(
            { err: error, registerId: state.registerId, businessDay: day.key.businessDay },
            "posting record not updated",
          );
        }
      }
      if (ingested > 0) {
        logger.info(
          {
            registerId: state.registerId,
            businessDay: day.key.businessDay,
            events: ingested,
            throughSeq: day.through,
          },
          "sales ingested",
        );
      }
      if (blocked) {
        logger.warn(
          { registerId: state.registerId, businessDay: day.key.businessDay, after: state.lastSeq },
          "sales held back: an earlier event of this register has not arrived yet",
        );
        return;
      }
    }
  }
}
