import { getHeads } from "@automerge/automerge";
import type { DocHandle, Repo } from "@automerge/automerge-repo";
import type { Logger } from "pino";
import { addBusinessDays, businessDayOf } from "../../domain/business-day.ts";
import { ChannelProjection } from "../../domain/channel-projection.ts";
import type { PosEvent } from "../../domain/events.ts";
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
  type SalesLogDoc,
  type SalesLogKey,
  SalesLogReader,
  salesLogDocumentId,
} from "../../replication/documents/sales-log.ts";
import { dropFromMemory } from "./drop-from-memory.ts";

/**
 * Sales ingestion: the retail server follows every register's sales logs and builds ONE channel
 * projection (journal, stock, X/Z reports) from them, then records on each register-day's
 * posting record how far it has accepted the log, so the register knows what is still pending.
 *
 * For each register it opens the replica status and the sales logs of today, yesterday and every
 * business day the replica status mentions (by the heads it lists), and re-reads a register's
 * logs whenever one of them changes. Events of one register are ingested in `seq` order across
 * days, from seq 1; an event after a gap (an earlier day not received yet) waits until the gap
 * is filled. Every log is read through a
 * `SalesLogReader`, so invalid or foreign events are logged with the document id and never
 * ingested; it validates only the entries appended since the last read (re-reading the whole
 * log only when an earlier entry changed), so a busy day costs linear work, not quadratic. After a restart the same stored documents rebuild the same projection.
 *
 * Limits: a sale with more than `maxEventsPerSale` events, or an event holding a text longer
 * than `maxStringLength`, is refused (its remaining events are passed over, so it never reaches
 * the journal), logged, and counted in {@link SalesIngestion.refusals}; the register's later
 * sales are still posted.
 *
 * Closing days: automerge-repo never evicts a document, so a register-day older than yesterday
 * whose log is fully posted is closed: its log and posting record are saved and dropped from the
 * repo's memory, while its contribution stays in the projection. A closed day is opened again
 * only when the register's replica status shows it holds other heads of that log.
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
  /** Most events one sale may hold (`POS_MAX_EVENTS_PER_SALE`). Default 1,000. */
  readonly maxEventsPerSale?: number;
  /** Longest text in an event (`POS_MAX_STRING_LENGTH`). Default 1,000. */
  readonly maxStringLength?: number;
};

/** A sale or event the server refused to post, and why. */
export type IngestionRefusal = {
  readonly registerId: string;
  readonly businessDay: string;
  readonly seq: number;
  readonly saleId: string | null;
  readonly reason: "too-many-events" | "text-too-long";
  readonly detail: string;
};

/** A register-day dropped from memory: what ingestion needs to know without its documents. */
type ClosedDay = {
  readonly closed: true;
  readonly key: SalesLogKey;
  readonly heads: readonly string[];
  /** The heads the replica status showed for this log when the day was last opened. */
  readonly heldHeads: readonly string[] | null;
  readonly through: number | null;
  readonly count: number;
};

type DayState = {
  readonly closed: false;
  readonly key: SalesLogKey;
  readonly log: DocHandle<SalesLogDoc>;
  readonly reader: SalesLogReader;
  readonly onChange: () => void;
  readonly heldHeads: readonly string[] | null;
  posting: DocHandle<PostingRecordDoc> | undefined;
  /** Highest contiguous seq of the day ingested; null: none. */
  through: number | null;
  count: number;
  quarantined: number;
};

type RegisterState = {
  readonly registerId: string;
  readonly days: Map<string, DayState | ClosedDay>;
  status: DocHandle<ReplicaStatusDoc> | undefined;
  /** The register's last ingested seq, across days; 0 before its first event (seq 1). */
  lastSeq: number;
  queue: Promise<void>;
  /** Sales log id -> business day, for the window of days searched. */
  windowIds: { readonly today: string; readonly ids: ReadonlyMap<string, string> } | undefined;
  /** The sale being ingested: its event count and whether it was refused. */
  sale: { readonly saleId: string; events: number; refused: boolean } | null;
};

const DEFAULT_MAX_EVENTS_PER_SALE = 1_000;
const DEFAULT_MAX_STRING_LENGTH = 1_000;
const MAX_REFUSALS_KEPT = 1_000;

export class SalesIngestion {
  readonly projection = new ChannelProjection();
  readonly #options: SalesIngestionOptions;
  readonly #registers = new Map<string, RegisterState>();
  readonly #refusals: IngestionRefusal[] = [];
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

  /** The business days whose logs are followed for a register (open or closed), oldest first. */
  followedDays(registerId: string): string[] {
    return [...(this.#registers.get(registerId)?.days.keys() ?? [])].sort();
  }

  /** The business days of a register that are closed: posted and no longer in memory. */
  closedDays(registerId: string): string[] {
    return [...(this.#registers.get(registerId)?.days.values() ?? [])]
      .filter((day) => day.closed)
      .map((day) => day.key.businessDay)
      .sort();
  }

  /** The most recent refused sales and events, oldest first. */
  refusals(): readonly IngestionRefusal[] {
    return this.#refusals;
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
        sale: null,
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
    const days = new Map<string, readonly string[] | null>([
      [today, null],
      [addBusinessDays(today, -1), null],
    ]);
    for (const [day, heads] of await this.#daysInStatus(state, today)) days.set(day, heads);
    for (const [businessDay, heldHeads] of days) {
      const known = state.days.get(businessDay);
      if (known !== undefined && !known.closed) continue;
      if (known?.closed && !holdsMore(heldHeads, known)) continue;
      const key: SalesLogKey = { storeId, registerId: state.registerId, businessDay };
      const log = await openSalesLog(repo, key);
      const onChange = (): void => {
        if (!this.#stopped) void this.#enqueue(state, () => this.#ingest(state));
      };
      state.days.set(businessDay, {
        closed: false,
        key,
        log,
        reader: new SalesLogReader(log.documentId, key),
        onChange,
        heldHeads,
        posting: undefined,
        through: known?.through ?? null,
        count: known?.count ?? 0,
        quarantined: 0,
      });
      log.on("change", onChange);
    }
    await this.#ingest(state);
  }

  /** Business days the replica status lists, with the heads the register holds of each log. */
  async #daysInStatus(
    state: RegisterState,
    today: string,
  ): Promise<Array<readonly [string, readonly string[]]>> {
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
      return day === undefined ? [] : [[day, status.heads[id] ?? []] as const];
    });
  }

  async #ingest(state: RegisterState): Promise<void> {
    const { logger, repo, now } = this.#options;
    const days = [...state.days.values()]
      .filter((day): day is DayState => !day.closed)
      .sort((a, b) => (a.key.businessDay < b.key.businessDay ? -1 : 1));
    const closable: DayState[] = [];
    for (const day of days) {
      if (!day.log.isReady()) continue;
      const { events, quarantined } = day.reader.read(day.log.doc());
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
        state.lastSeq = event.seq;
        day.through = event.seq;
        if (this.#admit(state, day, event)) {
          this.projection.ingest(event);
          day.count += 1;
          ingested += 1;
        }
      }
      if (day.through !== null) {
        // The log is on disk before the posting record can say so: an acknowledgement that a
        // crash could take back would make the register drop events from its pending upload.
        if (day.through !== day.posting?.doc().acceptedThroughSeq) {
          await repo.flush([day.log.documentId]);
        }
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
      const last = events.at(-1);
      if (quarantined.length === 0 && last !== undefined && day.through === last.seq) {
        closable.push(day);
      }
    }
    const closeBefore = addBusinessDays(this.today(), -1);
    for (const day of closable) {
      if (day.key.businessDay < closeBefore) await this.#close(state, day);
    }
  }

  /** Whether an event may be posted; a refusal is logged and remembered. */
  #admit(state: RegisterState, day: DayState, event: PosEvent): boolean {
    const saleId = "saleId" in event ? event.saleId : null;
    if (saleId !== null && state.sale?.saleId !== saleId) {
      state.sale = { saleId, events: 0, refused: false };
    }
    const sale = saleId === null ? null : state.sale;
    if (sale !== null) {
      sale.events += 1;
      if (sale.refused) return false;
    }
    const maxEvents = this.#options.maxEventsPerSale ?? DEFAULT_MAX_EVENTS_PER_SALE;
    const maxText = this.#options.maxStringLength ?? DEFAULT_MAX_STRING_LENGTH;
    const longest = longestText(event);
    let refusal: IngestionRefusal | null = null;
    const base = {
      registerId: state.registerId,
      businessDay: day.key.businessDay,
      seq: event.seq,
      saleId,
    };
    if (sale !== null && sale.events > maxEvents) {
      refusal = {
        ...base,
        reason: "too-many-events",
        detail: `the sale has more than ${maxEvents} events (POS_MAX_EVENTS_PER_SALE)`,
      };
    } else if (longest > maxText) {
      refusal = {
        ...base,
        reason: "text-too-long",
        detail: `${event.type} holds a text of ${longest} characters, more than ${maxText} (POS_MAX_STRING_LENGTH)`,
      };
    }
    if (refusal === null) return true;
    if (sale !== null) sale.refused = true;
    if (this.#refusals.length >= MAX_REFUSALS_KEPT) this.#refusals.shift();
    this.#refusals.push(refusal);
    this.#options.logger.warn(
      { ...refusal, documentId: day.log.documentId },
      saleId === null
        ? "event refused: not posted"
        : "sale refused: not posted, its remaining events are passed over",
    );
    return false;
  }

  /** Saves a posted day and drops its documents from the repo's memory. */
  async #close(state: RegisterState, day: DayState): Promise<void> {
    const { repo, logger } = this.#options;
    const ids = [day.log.documentId, ...(day.posting ? [day.posting.documentId] : [])];
    await repo.flush(ids);
    const heads = getHeads(day.log.doc());
    day.log.off("change", day.onChange);
    for (const id of ids) await dropFromMemory(repo, id);
    state.days.set(day.key.businessDay, {
      closed: true,
      key: day.key,
      heads,
      heldHeads: day.heldHeads,
      through: day.through,
      count: day.count,
    });
    logger.info(
      { registerId: state.registerId, businessDay: day.key.businessDay, events: day.count },
      "business day closed: posted, saved and dropped from memory",
    );
  }
}

/**
 * Whether the register may hold changes of a closed day's log the server has not seen: its
 * replica status shows heads that are neither the closed log's nor those it showed before.
 */
function holdsMore(heldHeads: readonly string[] | null, closed: ClosedDay): boolean {
  if (heldHeads === null || sameHeads(heldHeads, closed.heads)) return false;
  return closed.heldHeads === null || !sameHeads(heldHeads, closed.heldHeads);
}

function sameHeads(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((head) => b.includes(head));
}

/** The length of the longest string anywhere in an event. */
function longestText(event: PosEvent): number {
  let longest = 0;
  for (const value of Object.values(event)) {
    if (typeof value === "string" && value.length > longest) longest = value.length;
  }
  return longest;
}
