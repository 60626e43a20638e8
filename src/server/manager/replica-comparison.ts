import type { ConnectionMode, PosEvent } from "../../../domain/events.ts";
import type { Money } from "../../../domain/money.ts";
import { parseReceiptNumber } from "../../../domain/receipt-number.ts";

/**
 * The manager's comparison of a register's replica with the retail server, as pure functions
 * over plain data (the inspector gathers that data from the documents): the state badge, what
 * is pending upload, the projection of a day's events (sales, totals, receipt ranges and gaps)
 * and which registers block a clean end of day.
 */

/** A register's state as the manager sees it, worst first where it matters. */
export const REGISTER_BADGES = [
  "in-sync",
  "behind",
  "ahead",
  "diverged",
  "never-provisioned",
] as const;
export type RegisterBadge = (typeof REGISTER_BADGES)[number];

/** The kinds of documents compared, one per row of the design's document table. */
export const COMPARED_DOCUMENT_KINDS = [
  "store-configuration",
  "master-data-log",
  "sales-log",
  "posting-record",
  "replica-status",
] as const;
export type ComparedDocumentKind = (typeof COMPARED_DOCUMENT_KINDS)[number];

/** How the two copies of one document relate. */
export const DOCUMENT_STATES = [
  "same",
  "register-ahead",
  "server-ahead",
  "diverged",
  "not-reported",
] as const;
export type DocumentState = (typeof DOCUMENT_STATES)[number];

/** The facts a badge is decided on. */
export type BadgeFacts = {
  /** Null when the register never reported a package applied (or never reported at all). */
  readonly appliedPackageSeq: number | null;
  /** Seq of the newest package in the master data log; 0 when none was distributed. */
  readonly latestPackageSeq: number;
  /** Heads the register reported for its documents that the server does not hold. */
  readonly headsServerLacks: number;
  /** Events the server holds in the register's logs but has not posted (waiting on a gap). */
  readonly eventsHeldNotPosted: number;
};

/**
 * The badge: `never-provisioned` before the first package is applied; otherwise `ahead` when
 * the register holds what the channel database has not posted (heads the server lacks, or held
 * events not posted), `behind` when master data was distributed that it has not applied, both:
 * `diverged`, neither: `in-sync`.
 */
export function registerBadge(facts: BadgeFacts): RegisterBadge {
  if (facts.appliedPackageSeq === null) return "never-provisioned";
  const ahead = facts.headsServerLacks > 0 || facts.eventsHeldNotPosted > 0;
  const behind = facts.appliedPackageSeq < facts.latestPackageSeq;
  if (ahead && behind) return "diverged";
  if (ahead) return "ahead";
  if (behind) return "behind";
  return "in-sync";
}

/**
 * Relates the register's reported heads of a document to the server's copy.
 * `registerOnly`: reported heads the server does not hold; `serverOnlyChanges`: changes the
 * server holds beyond what the register reported (null when that cannot be known because the
 * server lacks the register's heads).
 */
export function documentState(input: {
  readonly reported: boolean;
  readonly registerOnly: number;
  readonly serverOnlyChanges: number | null;
}): DocumentState {
  if (!input.reported) return "not-reported";
  const registerAhead = input.registerOnly > 0;
  const serverAhead = (input.serverOnlyChanges ?? 0) > 0;
  if (registerAhead && serverAhead) return "diverged";
  if (registerAhead) return "register-ahead";
  if (serverAhead) return "server-ahead";
  return "same";
}

/** Sales, totals and receipt numbers of a run of events (one register, one business day). */
export type DaySummary = {
  readonly events: number;
  /** Seq of the first and last event; null when there are none. */
  readonly firstSeq: number | null;
  readonly lastSeq: number | null;
  readonly salesCompleted: number;
  readonly salesVoided: number;
  /** Sales started and neither completed nor voided. */
  readonly salesOpen: number;
  /** Sum of completed sale totals, tax included (minor units). */
  readonly total: Money;
  readonly tax: Money;
  /** Lowest and highest receipt number started; null when no sale started. */
  readonly firstReceipt: string | null;
  readonly lastReceipt: string | null;
  /** Receipt sequence numbers missing between the lowest and highest started. */
  readonly receiptGaps: readonly number[];
};

/** How many missing receipt numbers are listed at most (a count is always given). */
export const MAX_LISTED_GAPS = 100;

/** Summarises a day's events. Receipt gaps are counted within the day's own range. */
export function summariseDay(events: readonly PosEvent[]): DaySummary {
  let completed = 0;
  let voided = 0;
  let total = 0;
  let tax = 0;
  const started = new Map<string, { receipt: string; sequence: number | null }>();
  const finished = new Set<string>();
  for (const event of events) {
    if (event.type === "SaleStarted") {
      started.set(event.saleId, {
        receipt: event.receiptNumber,
        sequence: parseReceiptNumber(event.receiptNumber)?.sequence ?? null,
      });
    } else if (event.type === "SaleCompleted") {
      completed += 1;
      total += event.total;
      tax += event.tax;
      finished.add(event.saleId);
    } else if (event.type === "SaleVoided") {
      voided += 1;
      finished.add(event.saleId);
    }
  }
  const numbered = [...started.values()]
    .filter((sale): sale is { receipt: string; sequence: number } => sale.sequence !== null)
    .sort((a, b) => a.sequence - b.sequence);
  const first = numbered[0];
  const last = numbered[numbered.length - 1];
  const seen = new Set(numbered.map((sale) => sale.sequence));
  const gaps: number[] = [];
  if (first && last) {
    for (let sequence = first.sequence + 1; sequence < last.sequence; sequence++) {
      if (!seen.has(sequence)) gaps.push(sequence);
      if (gaps.length >= MAX_LISTED_GAPS) break;
    }
  }
  return {
    events: events.length,
    firstSeq: events[0]?.seq ?? null,
    lastSeq: events[events.length - 1]?.seq ?? null,
    salesCompleted: completed,
    salesVoided: voided,
    salesOpen: [...started.keys()].filter((saleId) => !finished.has(saleId)).length,
    total,
    tax,
    firstReceipt: first?.receipt ?? null,
    lastReceipt: last?.receipt ?? null,
    receiptGaps: gaps,
  };
}

/** Receipt sequence numbers missing between two consecutive days of one register. */
export function gapBetweenDays(earlier: DaySummary, later: DaySummary): readonly number[] {
  const end = earlier.lastReceipt ? parseReceiptNumber(earlier.lastReceipt)?.sequence : undefined;
  const start = later.firstReceipt ? parseReceiptNumber(later.firstReceipt)?.sequence : undefined;
  if (end === undefined || start === undefined) return [];
  const gaps: number[] = [];
  for (let sequence = end + 1; sequence < start && gaps.length < MAX_LISTED_GAPS; sequence++) {
    gaps.push(sequence);
  }
  return gaps;
}

/** What the server holds of a register-day that the channel database has not posted. */
export function heldNotPosted(
  events: readonly PosEvent[],
  acceptedThroughSeq: number | null,
): readonly PosEvent[] {
  return acceptedThroughSeq === null
    ? events
    : events.filter((event) => event.seq > acceptedThroughSeq);
}

/** One register's line in the end-of-day check. */
export type EndOfDayInput = {
  readonly registerId: string;
  readonly badge: RegisterBadge;
  readonly mode: ConnectionMode | null;
  readonly headsServerLacks: number;
  readonly eventsHeldNotPosted: number;
  readonly salesHeldNotPosted: number;
};

/** A register that blocks a clean end of day, and why, in words for the manager. */
export type EndOfDayBlocker = {
  readonly registerId: string;
  readonly reasons: readonly string[];
};

/**
 * The registers that block a clean end of day: those with sales not posted in the channel
 * database (changes the server has not received, or events held back), and those whose last
 * report says offline, since they may hold sales nobody has seen yet.
 */
export function endOfDayBlockers(registers: readonly EndOfDayInput[]): EndOfDayBlocker[] {
  const blockers: EndOfDayBlocker[] = [];
  for (const register of registers) {
    const reasons: string[] = [];
    if (register.headsServerLacks > 0) {
      reasons.push(
        "It holds sales log changes the server has not received: connect it (917 Connect) so they upload.",
      );
    }
    if (register.eventsHeldNotPosted > 0) {
      reasons.push(
        `${register.eventsHeldNotPosted} events (${register.salesHeldNotPosted} sales) received but not posted: an earlier event has not arrived yet.`,
      );
    }
    if (register.mode === "offline" && register.badge !== "never-provisioned") {
      reasons.push(
        "Its last report says offline: it may hold sales not uploaded. Bring it online before closing the day.",
      );
    }
    if (reasons.length > 0) blockers.push({ registerId: register.registerId, reasons });
  }
  return blockers;
}
