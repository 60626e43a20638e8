import { readFile } from "node:fs/promises";
import { extname, join, resolve } from "node:path";
import { Command } from "commander";

/**
 * The `pos` command: back office tasks against a running retail server, over its HTTP API, with
 * the admin token the server keeps in `<dataDir>/admin-token`.
 *
 * - `pos distribute`: runs a distribution now; prints the package made, or that nothing changed.
 * - `pos import <file>`: imports a product catalog (`.csv` or `.json`) into the staging area.
 * - `pos codes <registerId>`: issues a one-time activation code for a register.
 */

/** What the command needs from the outside; the composition root passes the real ones. */
export type PosCommandDependencies = {
  readonly fetch: typeof fetch;
  readonly readText: (path: string) => Promise<string>;
  readonly print: (line: string) => void;
  readonly printError: (line: string) => void;
};

/** A failed call, with the server's message when it sent one. */
export class PosCommandError extends Error {
  override readonly name = "PosCommandError";
  readonly code = "POS_CLI_001";
}

type GlobalOptions = { url: string; dataDir: string };
type ServerErrorBody = {
  error?: { code?: string; message?: string; details?: { issues?: unknown[] } };
};

const DEFAULT_URL = "http://127.0.0.1:8080";

/** Builds the `pos` program. Call `parseAsync(argv)` on it. */
export function buildPosCommand(deps: PosCommandDependencies): Command {
  const program = new Command("pos")
    .description("Back office tasks for a running retail server.")
    .option("--url <url>", "the retail server's address", DEFAULT_URL)
    .option("--data-dir <dir>", "the server's data directory (holds admin-token)", "./data");

  const request = backOfficeRequest(program, deps);

  program
    .command("distribute")
    .description("Send the master data changes staged since the last run to the data group now.")
    .action(async () => {
      const result = (await request("/api/back-office/distribute", { method: "POST" })) as {
        seq: number | null;
        kind: string;
        rows: number;
      };
      deps.print(
        result.seq === null
          ? "Nothing changed since the last distribution: no package made."
          : `Distributed ${result.kind} package ${result.seq} with ${result.rows} rows.`,
      );
    });

  program
    .command("import")
    .description("Import a product catalog (.csv or .json) into the staging area.")
    .argument("<file>", "the catalog file")
    .action(async (file: string) => {
      const extension = extname(file).toLowerCase();
      const contentType =
        extension === ".csv" ? "text/csv" : extension === ".json" ? "application/json" : null;
      if (contentType === null) {
        throw new PosCommandError(`${file}: use a .csv or .json catalog file.`);
      }
      const text = await deps.readText(file);
      const result = (await request("/api/back-office/catalog/import", {
        method: "POST",
        headers: { "content-type": contentType },
        body: text,
      })) as { imported: number };
      deps.print(
        `Imported ${result.imported} products; they go out with the next distribution (pos distribute).`,
      );
    });

  program
    .command("codes")
    .description("Issue a one-time activation code for a register.")
    .argument("<registerId>", "the register, e.g. R1")
    .action(async (registerId: string) => {
      const result = (await request(
        `/api/back-office/devices/${encodeURIComponent(registerId)}/codes`,
        { method: "POST" },
      )) as { code: string; expiresAt: number };
      deps.print(
        `Activation code for ${registerId}: ${result.code} (valid until ${new Date(result.expiresAt).toISOString()})`,
      );
    });

  return program;
}

/**
 * Calls the back office API of the server named by the program's `--url`, with the admin token
 * from its `--data-dir`; a refusal becomes a {@link PosCommandError} with the server's message
 * and the issues it listed.
 */
export function backOfficeRequest(
  program: Command,
  deps: PosCommandDependencies,
): (path: string, init?: RequestInit) => Promise<unknown> {
  return async (path, init = {}) => {
    const { url, dataDir } = program.opts<GlobalOptions>();
    const tokenPath = join(resolve(dataDir), "admin-token");
    let token: string;
    try {
      token = (await deps.readText(tokenPath)).trim();
    } catch (error) {
      throw new PosCommandError(
        `Cannot read the admin token at ${tokenPath}. Pass --data-dir with the server's data directory.`,
        { cause: error },
      );
    }
    let response: Response;
    try {
      response = await deps.fetch(new URL(path, url), {
        ...init,
        headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${token}` },
        signal: AbortSignal.timeout(60_000),
      });
    } catch (error) {
      throw new PosCommandError(
        `The retail server at ${url} does not answer. Start it with npm start, or pass --url.`,
        { cause: error },
      );
    }
    const body: unknown = await response.json().catch(() => null);
    if (!response.ok) {
      const failure = (body ?? {}) as ServerErrorBody;
      const issues = failure.error?.details?.issues ?? [];
      throw new PosCommandError(
        [
          `${failure.error?.code ?? response.status}: ${failure.error?.message ?? response.statusText}`,
          ...issues.slice(0, 50).map((issue) => `  ${JSON.stringify(issue)}`),
        ].join("\n"),
      );
    }
    return body;
  };
}

/** Adds a command to the program (e.g. `pos compare`), kept in its own file. */
export type PosCommandExtension = (program: Command, deps: PosCommandDependencies) => void;

/** Runs the program; returns the exit code (1 when a call failed, with its message printed). */
export async function runPosCommand(
  argv: readonly string[],
  deps: PosCommandDependencies,
  extensions: readonly PosCommandExtension[] = [],
): Promise<number> {
  const program = buildPosCommand(deps);
  for (const extend of extensions) extend(program, deps);
  try {
    await program.parseAsync([...argv], { from: "user" });
    return 0;
  } catch (error) {
    if (error instanceof PosCommandError) {
      deps.printError(error.message);
      return 1;
    }
    throw error;
  }
}

/** The real dependencies. */
export const nodeDependencies: PosCommandDependencies = {
  fetch: (input, init) => fetch(input, init),
  readText: (path) => readFile(path, "utf8"),
  print: (line) => console.log(line),
  printError: (line) => console.error(line),
};
