import { ImmutableString, isImmutableString } from "@automerge/automerge";
import type { DocHandle, Repo } from "@automerge/automerge-repo";
import { z } from "zod";
import type { PosEvent } from "../../domain/events.ts";
import { type DocumentName, namedDocumentId, openNamedDocument } from "./document-ids.ts";
import { MAX_EVENT_JSON_LENGTH, MAX_ID_LENGTH, parsePosEvent } from "./pos-event-schema.ts";
import { type QuarantineReport, quarantine } from "./quarantine.ts";

/** Which sales log: one per register per business day. */
export type SalesLogKey = {
  readonly storeId: string;
  readonly registerId: string;
  /** `YYYY-MM-DD`, the store's business day (not necessarily the calendar day in UTC). */
  readonly businessDay: string;
};

/**
 * The sales log as stored: a header and the register's events, each one `ImmutableString` of
 * its JSON. One opaque string per event (rather than a map of fields) keeps 9,000 events small
 * and fast to sync; the events are immutable facts, never edited in place.
 */
export type SalesLogDoc = {
  kind: ImmutableString;
  storeId: ImmutableString;
  registerId: ImmutableString;
  businessDay: ImmutableString;
  events: ImmutableString[];
};

/** What a reader gets: the valid events in order, and what was set aside. */
export type SalesLogContent = {
  readonly events: readonly PosEvent[];
  readonly quarantined: readonly QuarantineReport[];
};

const BUSINESS_DAY = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

const salesLogKeySchema = z.strictObject({
  storeId: z.string().min(1).max(MAX_ID_LENGTH),
  registerId: z.string().min(1).max(MAX_ID_LENGTH),
  businessDay: z.string().regex(BUSINESS_DAY),
});

const salesLogHeaderSchema = salesLogKeySchema.extend({ kind: z.literal("sales-log") });

/** Raised when a register tries to append events that do not belong at the end of its log. */
export class SalesLogAppendError extends Error {
  readonly code = "POS_SALES_LOG_APPEND";
  constructor(message: string) {
    super(message);
    this.name = "SalesLogAppendError";
  }
}

/** The document name of a sales log. */
export function salesLogName(key: SalesLogKey): DocumentName {
  const { storeId, registerId, businessDay } = salesLogKeySchema.parse(key);
  return { kind: "sales-log", parts: [storeId, registerId, businessDay] };
}

/** The document id of a sales log, the same in every process. */
export function salesLogDocumentId(key: SalesLogKey): ReturnType<typeof namedDocumentId> {
  return namedDocumentId(salesLogName(key));
}

/**
 * Opens (or creates, from its deterministic genesis) the sales log of a register-day. The
 * register and the retail server both call this; only the register appends.
 */
export function openSalesLog(repo: Repo, key: SalesLogKey): Promise<DocHandle<SalesLogDoc>> {
  return openNamedDocument<SalesLogDoc>(repo, salesLogName(key), {
    kind: new ImmutableString("sales-log"),
    storeId: new ImmutableString(key.storeId),
    registerId: new ImmutableString(key.registerId),
    businessDay: new ImmutableString(key.businessDay),
    events: [],
  });
}

function lastSeq(doc: SalesLogDoc): number | null {
  const last = doc.events[doc.events.length - 1];
  if (last === undefined) return null;
  const parsed: unknown = JSON.parse(String(last));
  return typeof parsed === "object" && parsed !== null && "seq" in parsed
    ? Number(parsed.seq)
    : null;
}

/**
 * Appends the events one command produced, as ONE Automerge change (so a command is never half
 * recorded, and a sync carries whole commands). The events must be this register's and continue
 * its sequence without gap; anything else is a programming error and throws
 * {@link SalesLogAppendError} without changing the log.
 */
export function appendToSalesLog(
  handle: DocHandle<SalesLogDoc>,
  events: readonly PosEvent[],
): void {
  if (events.length === 0) return;
  const doc = handle.doc();
  const registerId = String(doc.registerId);
  let expected = lastSeq(doc);
  const encoded: ImmutableString[] = [];
  for (const event of events) {
    if (event.registerId !== registerId) {
      throw new SalesLogAppendError(
        `Event ${event.id} belongs to register ${event.registerId}, not ${registerId}: ` +
          "append it to that register's sales log.",
      );
    }
    if (expected !== null && event.seq !== expected + 1) {
      throw new SalesLogAppendError(
        `Event ${event.id} has seq ${event.seq} but the log expects ${expected + 1}: ` +
          "events must be appended in sequence, each exactly once.",
      );
    }
    expected = event.seq;
    const json = JSON.stringify(event);
    if (json.length > MAX_EVENT_JSON_LENGTH) {
      throw new SalesLogAppendError(
        `Event ${event.id} is ${json.length} characters, more than ${MAX_EVENT_JSON_LENGTH}.`,
      );
    }
    encoded.push(new ImmutableString(json));
  }
  handle.change((d) => {
    d.events.push(...encoded);
  });
}

/**
 * Reads a sales log received from a peer, trusting nothing: the header must name the expected
 * register-day, and each event must parse, validate, belong to that register and continue the
 * sequence. The valid events are returned in order; everything else is reported. After a gap
 * every later event is held back too (reason `seq-gap`), so what is returned is always a
 * contiguous run that can be posted and counted exactly once.
 */
export function readSalesLog(
  doc: SalesLogDoc,
  documentId: string,
  expected: SalesLogKey,
): SalesLogContent {
  return new SalesLogReader(documentId, expected).read(doc);
}

/** How a {@link SalesLogReader} validates one parsed event (injectable to observe its work). */
export type PosEventParser = (value: unknown) => ReturnType<typeof parsePosEvent>;

/**
 * Reads one sales log again and again as it grows, validating only the entries appended since
 * the last read. A log is an append-only list written by one register, so the prefix already
 * read normally stays as it was; the reader still checks that it does (same header, a list at
 * least as long, and every earlier entry the same `ImmutableString` object or the same text:
 * Automerge keeps unchanged entries as the same objects, so this costs a pointer comparison per
 * entry) and reads the whole log again from the start when anything differs. What each read
 * returns is exactly what {@link readSalesLog} returns for the same document.
 *
 * The returned arrays belong to the reader: they may grow on the next read, so use them before
 * reading again.
 */
export class SalesLogReader {
  readonly #documentId: string;
  readonly #expected: SalesLogKey;
  readonly #parse: PosEventParser;
  #header: readonly [unknown, unknown, unknown, unknown] | null = null;
  #headerProblem: SalesLogContent | null = null;
  #seen: unknown[] = [];
  #events: PosEvent[] = [];
  #quarantined: QuarantineReport[] = [];
  #previous: number | null = null;
  #gapAt: number | null = null;
  #fullReads = 0;

  constructor(
    documentId: string,
    expected: SalesLogKey,
    options: { readonly parseEvent?: PosEventParser } = {},
  ) {
    this.#documentId = documentId;
    this.#expected = expected;
    this.#parse = options.parseEvent ?? parsePosEvent;
  }

  /** How many times the log was read from its first entry (the first read counts). */
  get fullReads(): number {
    return this.#fullReads;
  }

  /** The valid events so far and what was set aside, reading only what is new when it can. */
  read(doc: SalesLogDoc): SalesLogContent {
    const rawEvents: unknown = doc.events;
    if (!this.#prefixUnchanged(doc, rawEvents)) this.#restart(doc);
    if (this.#headerProblem !== null) return this.#headerProblem;
    if (!Array.isArray(rawEvents)) {
      return {
        events: [],
        quarantined: [quarantine(this.#documentId, "invalid-document", ["events"], "not a list")],
      };
    }
    for (let index = this.#seen.length; index < rawEvents.length; index++) {
      const raw: unknown = rawEvents[index];
      this.#seen.push(raw);
      this.#take(raw, index);
    }
    return { events: this.#events, quarantined: this.#quarantined };
  }

  #prefixUnchanged(doc: SalesLogDoc, rawEvents: unknown): boolean {
    const header = this.#header;
    if (
      header === null ||
      !sameEntry(doc.kind, header[0]) ||
      !sameEntry(doc.storeId, header[1]) ||
      !sameEntry(doc.registerId, header[2]) ||
      !sameEntry(doc.businessDay, header[3])
    ) {
      return false;
    }
    if (!Array.isArray(rawEvents)) return this.#seen.length === 0;
    const seen = this.#seen;
    if (rawEvents.length < seen.length) return false;
    for (let i = 0; i < seen.length; i++) {
      if (!sameEntry(rawEvents[i], seen[i])) return false;
    }
    return true;
  }

  #restart(doc: SalesLogDoc): void {
    this.#fullReads++;
    this.#header = [doc.kind, doc.storeId, doc.registerId, doc.businessDay];
    this.#seen = [];
    this.#events = [];
    this.#quarantined = [];
    this.#previous = null;
    this.#gapAt = null;
    this.#headerProblem = null;
    const documentId = this.#documentId;
    const expected = this.#expected;
    const header = salesLogHeaderSchema.safeParse({
      kind: stringOf(doc.kind),
      storeId: stringOf(doc.storeId),
      registerId: stringOf(doc.registerId),
      businessDay: stringOf(doc.businessDay),
    });
    if (!header.success) {
      this.#headerProblem = {
        events: [],
        quarantined: [quarantine(documentId, "invalid-document", [], header.error.message)],
      };
      return;
    }
    const { storeId, registerId, businessDay } = header.data;
    if (
      storeId !== expected.storeId ||
      registerId !== expected.registerId ||
      businessDay !== expected.businessDay
    ) {
      this.#headerProblem = {
        events: [],
        quarantined: [
          quarantine(
            documentId,
            "foreign-document",
            [],
            `holds ${storeId}/${registerId}/${businessDay}, expected ` +
              `${expected.storeId}/${expected.registerId}/${expected.businessDay}`,
          ),
        ],
      };
    }
  }

  #take(raw: unknown, index: number): void {
    const documentId = this.#documentId;
    const quarantined = this.#quarantined;
    const path = ["events", index] as const;
    const text = stringOf(raw);
    if (text === null || text.length > MAX_EVENT_JSON_LENGTH) {
      quarantined.push(quarantine(documentId, "invalid-event", path, "not a bounded string"));
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      quarantined.push(quarantine(documentId, "not-json", path, String(error)));
      return;
    }
    const parsed = this.#parse(value);
    if (!parsed.success) {
      quarantined.push(quarantine(documentId, "invalid-event", path, parsed.error.message));
      return;
    }
    const event = parsed.data;
    if (event.registerId !== this.#expected.registerId) {
      quarantined.push(
        quarantine(documentId, "foreign-register", path, `register ${event.registerId}`),
      );
      return;
    }
    if (this.#gapAt !== null) {
      quarantined.push(
        quarantine(documentId, "seq-gap", path, `seq ${event.seq} after the gap at ${this.#gapAt}`),
      );
      return;
    }
    const previous = this.#previous;
    if (previous !== null && event.seq <= previous) {
      quarantined.push(
        quarantine(documentId, "duplicate-seq", path, `seq ${event.seq} after ${previous}`),
      );
      return;
    }
    if (previous !== null && event.seq !== previous + 1) {
      this.#gapAt = previous + 1;
      quarantined.push(
        quarantine(documentId, "seq-gap", path, `seq ${event.seq}, expected ${previous + 1}`),
      );
      return;
    }
    this.#previous = event.seq;
    this.#events.push(event);
  }
}

/** Whether an entry is the one read before: the same object, or the same text. */
function sameEntry(current: unknown, before: unknown): boolean {
  if (current === before) return true;
  const text = stringOf(current);
  return text !== null && text === stringOf(before);
}

function stringOf(value: unknown): string | null {
  if (typeof value === "string") return value;
  if (isImmutableString(value)) return value.val;
  return null;
}
