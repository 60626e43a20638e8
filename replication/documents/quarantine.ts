/**
 * What was set aside while reading a document from a peer: a document or event that failed
 * validation is reported here and never handed to the domain. Readers collect these reports and
 * expose them (manager views, logs); they are never thrown, so one bad event cannot stop a
 * register from reading the rest of its data.
 */

export const QUARANTINE_REASONS = [
  "invalid-document",
  "wrong-document-kind",
  "foreign-document",
  "invalid-event",
  "foreign-register",
  "duplicate-seq",
  "seq-gap",
  "not-json",
] as const;
export type QuarantineReason = (typeof QUARANTINE_REASONS)[number];

/** One rejected document or event. */
export type QuarantineReport = {
  readonly documentId: string;
  readonly reason: QuarantineReason;
  /** Where in the document, e.g. `["events", 12]`; empty for the document itself. */
  readonly path: readonly (string | number)[];
  /** Human-readable details (validation issues), bounded in length. */
  readonly detail: string;
};

const MAX_DETAIL = 500;

/** Builds a report, truncating `detail` so a hostile document cannot flood logs. */
export function quarantine(
  documentId: string,
  reason: QuarantineReason,
  path: readonly (string | number)[],
  detail: string,
): QuarantineReport {
  return {
    documentId,
    reason,
    path,
    detail: detail.length > MAX_DETAIL ? `${detail.slice(0, MAX_DETAIL)}…` : detail,
  };
}

/** An append-only collection of reports, capped so memory stays bounded. */
export class QuarantineLog {
  readonly #reports: QuarantineReport[] = [];
  readonly #limit: number;
  #total = 0;

  constructor(limit = 1_000) {
    this.#limit = limit;
  }

  add(reports: readonly QuarantineReport[]): void {
    for (const report of reports) {
      this.#total++;
      if (this.#reports.length >= this.#limit) this.#reports.shift();
      this.#reports.push(report);
    }
  }

  /** The most recent reports, oldest first. */
  get reports(): readonly QuarantineReport[] {
    return this.#reports;
  }

  /** How many reports were ever added, including those no longer kept. */
  get total(): number {
    return this.#total;
  }
}
