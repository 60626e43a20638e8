import { rm } from "node:fs/promises";
import type { DocumentId } from "@automerge/automerge-repo";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { businessDayOf } from "../../domain/business-day.ts";
import { openPostingRecord } from "../../replication/documents/posting-record.ts";
import { appendToSalesLog, openSalesLog } from "../../replication/documents/sales-log.ts";
import {
  openStoreConfiguration,
  readStoreConfiguration,
} from "../../replication/documents/store-configuration.ts";
import {
  type MasterDataLogDoc,
  readMasterDataLog,
} from "../../replication/master-data/master-data-log.ts";
import { decodePackage } from "../../replication/master-data/package-codec.ts";
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
let client: SyncClient | undefined;

beforeAll(async () => {
  dataDir = await temporaryDirectory("server-sync");
});
afterAll(async () => {
  await client?.close().catch(() => {});
  await server?.kill("SIGKILL");
  await rm(dataDir, { recursive: true, force: true });
});

const env = { POS_DISTRIBUTION_INTERVAL_MS: "0" };

describe("retail server sync endpoint", () => {
  it("provisions a register, ingests its sales into the journal and posting record, and keeps them across a restart", async () => {
    server = await startServerProcess({ dataDir, env });
    const { storeId, token } = await activate(server, "R1");
    expect(storeId).toBe("S1");

    client = connectSyncClient(server, token, "register/R1/x");
    await client.connected();

    // Store configuration and, through its manifest, the master data log.
    const configuration = await openStoreConfiguration(client.repo, storeId);
    await waitFor(() => configuration.doc().configured, 15_000, "store configuration");
    const read = readStoreConfiguration(configuration.doc(), configuration.documentId, storeId);
    expect(read.quarantined).toEqual([]);
    const config = read.configuration;
    if (config === null) throw new Error("no configuration");
    expect(config.registers.map((r) => r.id)).toEqual(["R1", "R2", "R3"]);
    expect(config.channelDataGroup.offlineReplicas.map((r) => r.registerId).sort()).toEqual([
      "R1",
      "R2",
    ]);
    const entry = config.masterDataManifest[config.channelDataGroup.id];
    if (entry === undefined) throw new Error("no master data log in the manifest");
    const log = await client.repo.find<MasterDataLogDoc>(entry.logDocumentId as DocumentId);
    const reading = readMasterDataLog(log.doc());
    if (!reading.ok) throw reading.error;
    const [full] = reading.packages;
    expect(full?.kind).toBe("full");
    if (full === undefined) throw new Error("no package");
    const rows = await decodePackage(full, { seq: full.seq });
    const products = rows.filter((row) => row.entity === "product");
    expect(products).toHaveLength(2_400);
    expect(rows.some((row) => row.entity === "operator")).toBe(true);

    // A distribution run with nothing staged produces nothing.
    const admin = await adminHeaders(server);
    const idle = await call(server, "/api/back-office/distribute", {
      method: "POST",
      headers: admin,
    });
    await expect(idle.json()).resolves.toMatchObject({ seq: null, rows: 0 });

    // A sale in R1's sales log of today reaches the journal and the posting record.
    const now = Date.now();
    const key = { storeId, registerId: "R1", businessDay: businessDayOf(now) };
    const salesLog = await openSalesLog(client.repo, key);
    const events = completedSaleEvents("R1", 1, "sale-1", now);
    appendToSalesLog(salesLog, events);

    const device = { authorization: `Bearer ${token}` };
    type Journal = { sales: { receiptNumber: string; registerId: string; total: number }[] };
    let journal: Journal = { sales: [] };
    await waitFor(
      async () => {
        journal = (await (
          await call(server!, "/api/journal", { headers: device })
        ).json()) as Journal;
        return journal.sales.length === 1;
      },
      15_000,
      "sale in the journal",
    );
    expect(journal.sales[0]).toMatchObject({
      receiptNumber: "S1-R1-1",
      registerId: "R1",
      total: 500,
      completedAt: events[events.length - 1]?.at,
    });
    expect(journal.sales[0]).toHaveProperty("lines");
    expect(journal.sales[0]).toHaveProperty("payments");

    const posting = await openPostingRecord(client.repo, key);
    await waitFor(
      () => posting.doc().acceptedThroughSeq === events.length,
      15_000,
      "posting record",
    );
    expect(posting.doc().acceptedCount).toBe(events.length);

    const stock = (await (await call(server, "/api/stock", { headers: admin })).json()) as {
      stock: Record<string, number>;
    };
    expect(stock.stock.P00001).toBe(-1);
    const x = await call(server, "/api/reports/x?registerId=R1", { headers: device });
    await expect(x.json()).resolves.toMatchObject({ report: { salesCount: 1, gross: 500 } });

    await client.close();
    client = undefined;
    expect(await server.kill("SIGTERM")).toBe(0);

    server = await startServerProcess({ dataDir, env });
    expect(server.output()).not.toMatch(/demo store created/);
    const again = (await (
      await call(server, "/api/journal", { headers: device })
    ).json()) as Journal;
    expect(again).toEqual(journal);

    // The staging area and the master data log came back too: nothing pending, and the next
    // change continues the same log.
    const restartedAdmin = await adminHeaders(server);
    const nothing = await call(server, "/api/back-office/distribute", {
      method: "POST",
      headers: restartedAdmin,
    });
    await expect(nothing.json()).resolves.toMatchObject({ seq: null });
    const edit = await call(server, "/api/back-office/products/P00002", {
      method: "PATCH",
      headers: { ...restartedAdmin, "content-type": "application/json" },
      body: JSON.stringify({ active: false }),
    });
    expect(edit.status).toBe(200);
    const delta = await call(server, "/api/back-office/distribute", {
      method: "POST",
      headers: restartedAdmin,
    });
    await expect(delta.json()).resolves.toEqual({ seq: 2, kind: "delta", rows: 1 });
    expect(await server.kill("SIGTERM")).toBe(0);
  });
});
