import { ImmutableString, isImmutableString } from "@automerge/automerge";
import type { DocHandle, Repo } from "@automerge/automerge-repo";
import { z } from "zod";
import type { PosEvent } from "../../domain/events.ts";
import { openNamedDocument } from "./document-ids.ts";
import { MAX_ID_LENGTH } from "./pos-event-schema.ts";
import { type QuarantineReport, quarantine } from "./quarantine.ts";
import { type SalesLogKey, salesLogName } from "./sales-log.ts";

/**
 * What the channel database has accepted of one register-day, written by the retail server
 * only. The register compares it with its own sales log: every event with a seq above
 * `acceptedThroughSeq` is still pending upload.
 */
export type PostingRecord = {
  readonly storeId: string;
  readonly registerId: string;
  readonly businessDay: string;
  /** Highest seq accepted; every event of the day up to it is posted. null: nothing yet. */
  readonly acceptedThroughSeq: number | null;
  /** How many events of the day are posted. */
  readonly acceptedCount: number;
  /** When the server last accepted events (epoch ms); null: never. */
  readonly acceptedAt: number | null;
};

/** The posting record as stored. */
export type PostingRecordDoc = {
  kind: ImmutableString;
  storeId: ImmutableString;
  registerId: ImmutableString;
  businessDay: ImmutableString;
  acceptedThroughSeq: number | null;
  acceptedCount: number;
  acceptedAt: number | null;
};

const id = z.string().min(1).max(MAX_ID_LENGTH);
const postingRecordSchema = z.strictObject({
  kind: z.literal("posting-record"),
  storeId: id,
  registerId: id,
  businessDay: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  acceptedThroughSeq: z.int().positive().nullable(),
  acceptedCount: z.int().nonnegative(),
  acceptedAt: z.int().nonnegative().nullable(),
});

/** Raised when the server would move a posting record backwards. */
export class PostingRecordError extends Error {
  readonly code = "POS_POSTING_RECORD";
  constructor(message: string) {
    super(message);
    this.name = "PostingRecordError";
  }
}

/** Opens (or creates) the posting record of a register-day; its id is derived from the key. */
export function openPostingRecord(
  repo: Repo,
  key: SalesLogKey,
): Promise<DocHandle<PostingRecordDoc>> {
  return openNamedDocument<PostingRecordDoc>(
    repo,
    { kind: "posting-record", parts: salesLogName(key).parts },
    {
      kind: new ImmutableString("posting-record"),
      storeId: new ImmutableString(key.storeId),
      registerId: new ImmutableString(key.registerId),
      businessDay: new ImmutableString(key.businessDay),
      acceptedThroughSeq: null,
      acceptedCount: 0,
      acceptedAt: null,
    },
  );
}

/**
 * Records, as one change, that the channel database now holds every event of the day through
 * `throughSeq` (`count` events in all). Posting only moves forward: a lower seq or count throws
 * {@link PostingRecordError} and changes nothing.
 */
export function recordPosted(
  handle: DocHandle<PostingRecordDoc>,
  posted: { readonly throughSeq: number; readonly count: number; readonly at: number },
): void {
  const current = handle.doc();
  if (
    (current.acceptedThroughSeq !== null && posted.throughSeq < current.acceptedThroughSeq) ||
    posted.count < current.acceptedCount
  ) {
    throw new PostingRecordError(
      `Posting of ${String(current.registerId)} would move back from seq ` +
        `${current.acceptedThroughSeq} to ${posted.throughSeq}; posted events stay posted.`,
    );
  }
  if (current.acceptedThroughSeq === posted.throughSeq && current.acceptedCount === posted.count) {
    return;
  }
  handle.change((d) => {
    d.acceptedThroughSeq = posted.throughSeq;
    d.acceptedCount = posted.count;
    d.acceptedAt = posted.at;
  });
}

/** Reads a posting record from a peer; an invalid or foreign one is reported, not returned. */
export function readPostingRecord(
  doc: PostingRecordDoc,
  documentId: string,
  expected: SalesLogKey,
): { readonly record: PostingRecord | null; readonly quarantined: readonly QuarantineReport[] } {
  const plain = Object.fromEntries(
    Object.entries(doc).map(([k, v]) => [k, isImmutableString(v) ? v.val : v]),
  );
  const parsed = postingRecordSchema.safeParse(plain);
  if (!parsed.success) {
    return {
      record: null,
      quarantined: [quarantine(documentId, "invalid-document", [], parsed.error.message)],
    };
  }
  const { kind: _kind, ...record } = parsed.data;
  if (
    record.storeId !== expected.storeId ||
    record.registerId !== expected.registerId ||
    record.businessDay !== expected.businessDay
  ) {
    return {
      record: null,
      quarantined: [quarantine(documentId, "foreign-document", [], "another register-day")],
    };
  }
  return { record, quarantined: [] };
}

/** The register's events the server has not accepted yet (all of them without a record). */
export function pendingUpload(
  events: readonly PosEvent[],
  record: PostingRecord | null,
): readonly PosEvent[] {
  const through = record?.acceptedThroughSeq ?? null;
  return through === null ? events : events.filter((event) => event.seq > through);
}
