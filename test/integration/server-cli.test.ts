import { execFile } from "node:child_process";
import { rm, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ServerProcess,
  startServerProcess,
  temporaryDirectory,
} from "../support/server-process.ts";

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, "../..");

let dataDir: string;
let server: ServerProcess | undefined;

beforeAll(async () => {
  dataDir = await temporaryDirectory("server-cli");
  server = await startServerProcess({ dataDir, env: { POS_DISTRIBUTION_INTERVAL_MS: "0" } });
});
afterAll(async () => {
  await server?.kill("SIGKILL");
  await rm(dataDir, { recursive: true, force: true });
});

function pos(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  if (server === undefined) throw new Error("server not started");
  return run(
    process.execPath,
    [join(ROOT, "bin/pos.mjs"), "--url", server.url, "--data-dir", dataDir, ...args],
    { cwd: ROOT, timeout: 30_000 },
  );
}

describe("the pos command against a running server", () => {
  it("issues codes, imports a catalog and distributes it; reports refusals with exit code 1", async () => {
    const codes = await pos("codes", "R1");
    expect(codes.stdout).toMatch(/Activation code for R1: [A-Z2-9]{4}-?[A-Z2-9]{4}/);

    const idle = await pos("distribute");
    expect(idle.stdout).toMatch(/Nothing changed/);

    const catalog = join(dataDir, "catalog.csv");
    await writeFile(catalog, "id,name,price,tax_group\nP99001,Test Tea 250 g,3.49,STD\n");
    const imported = await pos("import", catalog);
    expect(imported.stdout).toMatch(/Imported 1 products/);

    const distributed = await pos("distribute");
    expect(distributed.stdout).toMatch(/Distributed delta package 2 with 1 rows/);

    await writeFile(catalog, "id,name,price,tax_group\nP99002,Bad,1.00,NOPE\n");
    const refused = await pos("import", catalog).then(
      () => null,
      (error: { code: number; stderr: string }) => error,
    );
    expect(refused?.code).toBe(1);
    expect(refused?.stderr).toMatch(/POS_CATALOG_001/);

    const unknown = await pos("codes", "R9").then(
      () => null,
      (error: { code: number; stderr: string }) => error,
    );
    expect(unknown?.code).toBe(1);
    expect(unknown?.stderr).toMatch(/R9 is not set up/);
  });

  it("edits customers, discounts, operators, offline profiles, products and registers", async () => {
    const saved = await Promise.all([
      pos("customer", "C900", "--name", "Ada Lovelace", "--email", "ada@example.org"),
      pos(
        "discount",
        "D900",
        "--name",
        "Staff",
        "--kind",
        "percent",
        "--value",
        "1000",
        "--scope",
        "sale",
      ),
      pos("operator", "2001", "--name", "New Cashier", "--role", "cashier", "--pin", "4321"),
      pos(
        "offline-profile",
        "QUICK",
        "--name",
        "Quick",
        "--switch-timeout",
        "2000",
        "--reconnect-interval",
        "30000",
      ),
      pos("product", "P00001", "--price", "1234", "--inactive"),
      pos("register", "R3", "--offline-support", "on"),
    ]);
    expect(saved.map((r) => r.stdout).join("\n")).toMatch(
      /Customer C900 saved[\s\S]*Discount D900 saved[\s\S]*Operator 2001 saved[\s\S]*Offline profile QUICK saved[\s\S]*Product P00001 changed[\s\S]*Register R3: Offline support on/,
    );
    const distributed = await pos("distribute");
    expect(distributed.stdout).toMatch(/Distributed delta package \d+ with \d+ rows/);
    expect((await pos("customer", "C900", "--remove")).stdout).toMatch(/Customer C900 removed/);
    expect((await pos("distribute")).stdout).toMatch(/Distributed delta package \d+ with 1 rows/);

    const refused = await pos(
      "offline-profile",
      "FAST",
      "--name",
      "Fast",
      "--switch-timeout",
      "5",
      "--reconnect-interval",
      "1000",
    ).then(
      () => null,
      (error: { code: number; stderr: string }) => error,
    );
    expect(refused?.code).toBe(1);
    expect(refused?.stderr).toMatch(/switchTimeoutMs/);
  });

  it("runs as npm run pos", async () => {
    if (server === undefined) throw new Error("server not started");
    const { stdout } = await run(
      "npm",
      ["run", "--silent", "pos", "--", "--url", server.url, "--data-dir", dataDir, "distribute"],
      { cwd: ROOT, timeout: 30_000 },
    );
    expect(stdout).toMatch(/Nothing changed/);
  });
});
