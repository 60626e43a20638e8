/** What one register did and holds at the end of a simulation. */
export type RegisterReport = {
  readonly registerId: string;
  readonly salesMade: number;
  readonly salesAbandoned: number;
  /** The last sequence number in the register's sales log (events it wrote). */
  readonly lastSeq: number;
  /** The server's posting record: events the channel database accepted, in order. */
  readonly acceptedThroughSeq: number;
  /** Automatic and manual mode switches recorded in the register's log. */
  readonly modeChanges: number;
  readonly restarts: number;
  readonly mode: string;
  /** The server holds every event of the register's log. */
  readonly headsMatch: boolean;
};

/**
 * The outcome of `pos simulate`. `ok` is false when a completed sale is missing from the server
 * journal, a receipt appears twice, two sales share a receipt number, or the replicas did not
 * converge within the bound.
 */
export type SimulationReport = {
  readonly seed: number;
  /** The server's and registers' data directories, when kept; null once removed. */
  readonly dataDir: string | null;
  readonly registers: number;
  readonly durationMs: number;
  readonly scheduleSteps: number;
  readonly salesPlanned: number;
  /** Sales the simulator completed at a register (counted by the simulator, not the server). */
  readonly salesMade: number;
  readonly salesAbandoned: number;
  readonly distributions: { readonly made: number; readonly skipped: number };
  readonly eventsWritten: number;
  readonly eventsUploaded: number;
  readonly journalSales: number;
  /** Receipts completed at a register but not in `GET /api/journal`. */
  readonly lost: readonly string[];
  /** Receipts (or sale ids) found more than once in the journal. */
  readonly duplicated: readonly string[];
  /** Receipt numbers used for two different sales. */
  readonly receiptCollisions: readonly string[];
  /** Journal receipts the simulator never made. */
  readonly unexpected: readonly string[];
  readonly converged: boolean;
  /** From the final heal until every register's events were accepted and journalled. */
  readonly convergeMs: number | null;
  readonly headsMatch: boolean;
  readonly perRegister: readonly RegisterReport[];
  readonly elapsedMs: number;
  readonly ok: boolean;
};

/** The report as an aligned plain-text table for a terminal. */
export function formatSimulationReport(report: SimulationReport): string {
  const rows: [string, string][] = [
    ["seed", String(report.seed)],
    ["registers", String(report.registers)],
    ["data kept in", report.dataDir ?? "(removed)"],
    ["schedule steps", String(report.scheduleSteps)],
    ["sales planned", String(report.salesPlanned)],
    ["sales made", String(report.salesMade)],
    ["sales abandoned", String(report.salesAbandoned)],
    [
      "distributions",
      `${report.distributions.made} made, ${report.distributions.skipped} skipped (server down)`,
    ],
    ["events written", String(report.eventsWritten)],
    ["events uploaded", String(report.eventsUploaded)],
    ["journal sales", String(report.journalSales)],
    ["lost", listed(report.lost)],
    ["duplicated", listed(report.duplicated)],
    ["receipt collisions", listed(report.receiptCollisions)],
    ["unexpected receipts", listed(report.unexpected)],
    [
      "converged",
      report.converged ? `yes, in ${report.convergeMs} ms` : "NO (within the converge timeout)",
    ],
    ["heads match", report.headsMatch ? "yes" : "NO"],
    ["elapsed", `${report.elapsedMs} ms`],
    ["result", report.ok ? "OK" : "FAILED"],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  const summary = rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`);
  const header = [
    "register",
    "sales",
    "abandoned",
    "last seq",
    "accepted",
    "mode",
    "switches",
    "restarts",
    "heads",
  ];
  const body = report.perRegister.map((r) => [
    r.registerId,
    String(r.salesMade),
    String(r.salesAbandoned),
    String(r.lastSeq),
    String(r.acceptedThroughSeq),
    r.mode,
    String(r.modeChanges),
    String(r.restarts),
    r.headsMatch ? "match" : "DIFFER",
  ]);
  const widths = header.map((h, i) =>
    Math.max(h.length, ...body.map((row) => row[i]?.length ?? 0)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  return [...summary, "", line(header), ...body.map(line)].join("\n");
}

function listed(items: readonly string[]): string {
  if (items.length === 0) return "0";
  const shown = items.slice(0, 10).join(", ");
  return `${items.length} (${shown}${items.length > 10 ? ", ..." : ""})`;
}
