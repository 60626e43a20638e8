import { readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { businessDayOf } from "../../domain/business-day.ts";
import {
  appendToSalesLog,
  openSalesLog,
  salesLogDocumentId,
} from "../../replication/documents/sales-log.ts";
import {
  type ServerProcess,
  startServerProcess,
  temporaryDirectory,
} from "../support/server-process.ts";
import {
  activate,
  adminHeaders,
  call,
  completedSaleEvents,
  connectSyncClient,
  type SyncClient,
  waitFor,
} from "./server-test-client.ts";

let dataDir: string;
let server: ServerProcess | undefined;
const clients: SyncClient[] = [];
const env = { POS_DISTRIBUTION_INTERVAL_MS: "0" };

beforeAll(async () => {
  dataDir = await temporaryDirectory("server-corrupt");
});
afterAll(async () => {
  for (const client of clients) await client.close().catch(() => {});
  await server?.kill("SIGKILL");
  await rm(dataDir, { recursive: true, force: true });
});

async function journalSaleIds(): Promise<string[]> {
  const response = await call(server!, "/api/journal", { headers: await adminHeaders(server!) });
  expect(response.status).toBe(200);
  const body = (await response.json()) as { sales: Array<{ saleId: string }> };
  return body.sales.map((sale) => sale.saleId).sort();
}

async function filesUnder(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

describe("a damaged document file in the server's storage", () => {
  it("is quarantined with a clear log line; the server serves everything else and the document recovers from its register", async () => {
    server = await startServerProcess({ dataDir, env });
    const now = Date.now();
    const businessDay = businessDayOf(now);
    const registers = ["R1", "R2"] as const;
    for (const registerId of registers) {
      const { token, storeId } = await activate(server, registerId);
      const client = connectSyncClient(server, token, `register/${registerId}/corrupt`, 250);
      clients.push(client);
      await client.connected();
      const log = await openSalesLog(client.repo, { storeId, registerId, businessDay });
      appendToSalesLog(log, completedSaleEvents(registerId, 1, `${registerId}-sale`, now));
    }
    await waitFor(
      async () => (await journalSaleIds()).length === 2,
      15_000,
      "both registers' sales in the journal",
    );

    // Registers go away (R1 stays away while the server starts, so what it serves then comes
    // from its own storage); the server stops, and every stored chunk of R1's log is cut in half.
    for (const client of clients) client.adapter.disconnect();
    await server.kill("SIGTERM");
    const documentId = await salesLogDocumentId({ storeId: "S1", registerId: "R1", businessDay });
    const documentDir = join(dataDir, "documents", documentId.slice(0, 2), documentId.slice(2));
    const chunks = (await filesUnder(documentDir)).filter((file) =>
      /[/\\](snapshot|incremental)[/\\]/.test(file),
    );
    expect(chunks.length).toBeGreaterThan(0);
    for (const file of chunks) {
      const bytes = await readFile(file);
      await writeFile(file, bytes.subarray(0, Math.floor(bytes.length / 2)));
      expect((await stat(file)).size).toBeLessThan(bytes.length);
    }

    server = await startServerProcess({ dataDir, port: server.port, env });
    expect((await call(server, "/api/health")).status).toBe(200);
    await waitFor(
      () => /stored document file quarantined/.test(server!.output()),
      5_000,
      "quarantine log line",
    );
    const line = server
      .output()
      .split("\n")
      .find((text) => text.includes("stored document file quarantined"));
    expect(line).toContain(documentId);
    expect((await readdir(join(dataDir, "documents", "quarantine"))).length).toBe(chunks.length);
    expect(await journalSaleIds()).toEqual(["R2-sale"]);

    // R1 reconnects: its copy of the log restores the server's, and the sale is posted again.
    const r1 = clients[0]!;
    r1.adapter.connect(r1.repo.peerId);
    await waitFor(
      async () => (await journalSaleIds()).length === 2,
      15_000,
      "R1's sale recovered from the register",
    );
    expect(await journalSaleIds()).toEqual(["R1-sale", "R2-sale"]);
  });
});
