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
  const header = salesLogHeaderSchema.safeParse({
    kind: stringOf(doc.kind),
    storeId: stringOf(doc.storeId),
    registerId: stringOf(doc.registerId),
    businessDay: stringOf(doc.businessDay),
  });
  if (!header.success) {
    return {
      events: [],
      quarantined: [quarantine(documentId, "invalid-document", [], header.error.message)],
    };
  }
  const { storeId, registerId, businessDay } = header.data;
  if (
    storeId !== expected.storeId ||
    registerId !== expected.registerId ||
    businessDay !== expected.businessDay
  ) {
    return {
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
  const rawEvents: unknown = doc.events;
  if (!Array.isArray(rawEvents)) {
    return {
      events: [],
      quarantined: [quarantine(documentId, "invalid-document", ["events"], "not a list")],
    };
  }
  const events: PosEvent[] = [];
  const quarantined: QuarantineReport[] = [];
  let previous: number | null = null;
  let gapAt: number | null = null;
  rawEvents.forEach((raw: unknown, index: number) => {
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
    const parsed = parsePosEvent(value);
    if (!parsed.success) {
      quarantined.push(quarantine(documentId, "invalid-event", path, parsed.error.message));
      return;
    }
    const event = parsed.data;
    if (event.registerId !== registerId) {
      quarantined.push(
        quarantine(documentId, "foreign-register", path, `register ${event.registerId}`),
      );
      return;
    }
    if (gapAt !== null) {
      quarantined.push(
        quarantine(documentId, "seq-gap", path, `seq ${event.seq} after the gap at ${gapAt}`),
      );
      return;
    }
    if (previous !== null && event.seq <= previous) {
      quarantined.push(
        quarantine(documentId, "duplicate-seq", path, `seq ${event.seq} after ${previous}`),
      );
      return;
    }
    if (previous !== null && event.seq !== previous + 1) {
      gapAt = previous + 1;
      quarantined.push(
        quarantine(documentId, "seq-gap", path, `seq ${event.seq}, expected ${previous + 1}`),
      );
      return;
    }
    previous = event.seq;
    events.push(event);
  });
  return { events, quarantined };
}

function stringOf(value: unknown): string | null {
  if (typeof value === "string") return value;
  if (isImmutableString(value)) return value.val;
  return null;
}
