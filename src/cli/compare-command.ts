import type { Command } from "commander";
import type { RegisterComparison } from "../server/manager/replica-inspector.ts";
import { backOfficeRequest, type PosCommandDependencies } from "./pos-command.ts";

/**
 * `pos compare --register R1 [--json]`: the manager's comparison of one register's replica with
 * the retail server, from `GET /api/manager/compare/:registerId` with the admin token of the
 * server's data directory. Prints a readable report, or the endpoint's JSON as is.
 */

/** Adds `compare` to the `pos` program (a {@link PosCommandExtension}). */
export function addCompareCommand(program: Command, deps: PosCommandDependencies): void {
  program
    .command("compare")
    .description("Compare a register's replica with the retail server, document by document.")
    .requiredOption("--register <registerId>", "the register, e.g. R1")
    .option("--json", "print the comparison as JSON")
    .action(async (options: { register: string; json?: boolean }) => {
      const comparison = (await backOfficeRequest(
        program,
        deps,
      )(`/api/manager/compare/${encodeURIComponent(options.register)}`)) as RegisterComparison;
      if (options.json === true) {
        deps.print(JSON.stringify(comparison, null, 2));
        return;
      }
      for (const line of formatComparison(comparison)) deps.print(line);
    });
}

/** The comparison as lines of a plain-text report. */
export function formatComparison(comparison: RegisterComparison): string[] {
  const { register, documents, days } = comparison;
  const lines = [
    `Register ${register.registerId} (${register.name}): ${register.badge}`,
    `  mode ${register.mode ?? "never reported"}, last seen ${
      register.lastSeenAt === null ? "never" : new Date(register.lastSeenAt).toISOString()
    }`,
    `  master data package ${register.appliedPackageSeq ?? "none"} applied of ${register.latestPackageSeq}`,
    `  pending upload: ${register.pending.headsServerLacks} changes not received, ${register.pending.eventsHeldNotPosted} events (${register.pending.salesHeldNotPosted} sales) not posted`,
    "",
    "Documents",
    table(
      [
        "document",
        "day",
        "register heads",
        "server heads",
        "only register",
        "only server",
        "state",
      ],
      documents.map((document) => [
        document.kind,
        document.businessDay ?? "",
        shortHeads(document.registerHeads),
        shortHeads(document.serverHeads),
        String(document.registerOnlyHeads.length),
        document.serverOnlyChanges === null ? "?" : String(document.serverOnlyChanges),
        document.state,
      ]),
    ),
    "",
    "Sales by business day (register as reported / server copy / posted)",
    table(
      ["day", "sales", "total", "receipts", "gaps"],
      days.map((day) => [
        day.businessDay,
        [day.register?.salesCompleted ?? "?", day.server.salesCompleted, day.posted.salesCompleted]
          .map(String)
          .join(" / "),
        [day.register?.total ?? "?", day.server.total, day.posted.total].map(String).join(" / "),
        day.server.firstReceipt === null
          ? ""
          : `${day.server.firstReceipt} .. ${day.server.lastReceipt}`,
        [...day.receiptGapBefore, ...day.server.receiptGaps].join(", "),
      ]),
    ),
  ];
  return lines.flatMap((line) => line.split("\n"));
}

function shortHeads(heads: readonly string[] | null): string {
  if (heads === null) return "-";
  if (heads.length === 0) return "(empty)";
  return heads.map((hash) => hash.slice(0, 8)).join(",");
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length)),
  );
  const format = (row: readonly string[]) =>
    row
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join("  ")
      .trimEnd();
  return [
    format(header),
    format(widths.map((width) => "-".repeat(width))),
    ...rows.map(format),
  ].join("\n");
}
