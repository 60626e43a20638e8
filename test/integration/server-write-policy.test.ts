import { rm } from "node:fs/promises";
import * as Automerge from "@automerge/automerge";
import { ImmutableString } from "@automerge/automerge";
import type { DocHandle, DocumentId } from "@automerge/automerge-repo";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { businessDayOf } from "../../domain/business-day.ts";
import { openPostingRecord } from "../../replication/documents/posting-record.ts";
import { appendToSalesLog, openSalesLog } from "../../replication/documents/sales-log.ts";
import {
  openStoreConfiguration,
  readStoreConfiguration,
} from "../../replication/documents/store-configuration.ts";
import type { MasterDataLogDoc } from "../../replication/master-data/master-data-log.ts";
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

/**
 * A device with a valid token (R1's) that tries to write documents it does not own: the master
 * data log, the store configuration, a posting record and another register's sales log. Each
 * time the server closes its connection, logs the device, applies nothing, and an honest second
 * client never sees the change, while the honest writer's next change still arrives.
 */

let dataDir: string;
let server: ServerProcess;
const clients: SyncClient[] = [];

beforeAll(async () => {
  dataDir = await temporaryDirectory("server-write-policy");
  server = await startServerProcess({ dataDir, env: { POS_DISTRIBUTION_INTERVAL_MS: "0" } });
});
afterAll(async () => {
  for (const client of clients) await client.close().catch(() => {});
  await server?.kill("SIGKILL");
  await rm(dataDir, { recursive: true, force: true });
});

type LogLine = { msg?: string; registerId?: string; deviceId?: string; documentId?: string };

function violations(documentId: string): LogLine[] {
  return server
    .output()
    .split("\n")
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as LogLine];
      } catch {
        return [];
      }
    })
    .filter(
      (line) => line.msg?.startsWith("write policy violation") && line.documentId === documentId,
    );
}

function connect(token: string, peerId: string, retryIntervalMs?: number): SyncClient {
  const client = connectSyncClient(server, token, peerId, retryIntervalMs);
  clients.push(client);
  return client;
}

/**
 * Opens `documentId` in a fresh malicious repo with R1's token, waits until it holds what the
 * honest replica holds, changes it, and checks the server refused it. Returns the hash of the
 * malicious change.
 */
async function attack<T>(
  r1Token: string,
  honest: DocHandle<T>,
  open: (client: SyncClient) => Promise<DocHandle<T>>,
  change: (doc: T) => void,
): Promise<string> {
  // No quick reconnect: one attempt per attack, and no socket still connecting at close.
  const attacker = connect(r1Token, `register/R1/attacker-${clients.length}`, 60_000);
  let disconnects = 0;
  attacker.adapter.on("peer-disconnected", () => {
    disconnects += 1;
  });
  await attacker.connected();
  const handle = await open(attacker);
  await waitFor(
    () => Automerge.hasHeads(handle.doc() as Automerge.Doc<T>, hexHeads(honest)),
    10_000,
    "attacker holds the document",
  );
  const before = violations(honest.documentId).length;
  handle.change(change);
  const [evil] = hexHeads(handle);
  if (evil === undefined) throw new Error("no change made");
  await waitFor(
    () => violations(honest.documentId).length > before && disconnects > 0,
    10_000,
    "violation logged and connection closed",
  );
  const [line] = violations(honest.documentId);
  expect(line?.registerId).toBe("R1");
  expect(line?.deviceId).toMatch(/^R1@\d+$/);
  await attacker.close();
  return evil;
}

/** Heads as Automerge's hex hashes (a handle's `heads()` are URL-encoded). */
function hexHeads(handle: DocHandle<unknown>): string[] {
  return Automerge.getHeads(handle.doc() as Automerge.Doc<unknown>);
}

function holds(handle: DocHandle<unknown>, hash: string): boolean {
  return Automerge.hasHeads(handle.doc() as Automerge.Doc<unknown>, [hash]);
}

describe("write policy against a malicious device", () => {
  it("refuses an unknown token at the upgrade", async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const socket = new WebSocket(`ws://127.0.0.1:${server.port}/sync?token=not-a-token`);
      socket.once("unexpected-response", (_request, response) => {
        resolve(response.statusCode ?? 0);
        socket.terminate();
      });
      socket.once("open", () => reject(new Error("an unknown token was let in")));
      socket.once("error", () => {});
    });
    expect(status).toBe(401);
    await waitFor(() => /sync connection refused/.test(server.output()), 5_000, "refusal logged");
  });

  it("closes the connection, applies nothing and forwards nothing, for every foreign document", async () => {
    const r1 = await activate(server, "R1");
    const r2 = await activate(server, "R2");
    const admin = await adminHeaders(server);
    const storeId = r1.storeId;
    const today = businessDayOf(Date.now());

    const honest = connect(r2.token, "register/R2/honest");
    await honest.connected();
    const honestR1 = connect(r1.token, "register/R1/honest");
    await honestR1.connected();

    // Store configuration.
    const configuration = await openStoreConfiguration(honest.repo, storeId);
    await waitFor(() => configuration.doc().configured, 10_000, "configuration");
    const evilConfiguration = await attack(
      r1.token,
      configuration,
      (client) => openStoreConfiguration(client.repo, storeId),
      (doc) => {
        doc.configured = false;
      },
    );
    const patched = await call(server, "/api/back-office/registers/R3", {
      method: "PATCH",
      headers: { ...admin, "content-type": "application/json" },
      body: JSON.stringify({ offlineSupport: true }),
    });
    expect(patched.status).toBe(200);
    await waitFor(
      () =>
        readStoreConfiguration(
          configuration.doc(),
          configuration.documentId,
          storeId,
        ).configuration?.registers.find((r) => r.id === "R3")?.offlineSupport === true,
      10_000,
      "honest configuration change",
    );
    expect(holds(configuration, evilConfiguration)).toBe(false);
    expect(configuration.doc().configured).toBe(true);

    // Master data log.
    const read = readStoreConfiguration(configuration.doc(), configuration.documentId, storeId);
    const entry = read.configuration?.masterDataManifest[read.configuration.channelDataGroup.id];
    if (entry === undefined) throw new Error("no master data log");
    const logId = entry.logDocumentId as DocumentId;
    const log = await honest.repo.find<MasterDataLogDoc>(logId);
    const evilLog = await attack(
      r1.token,
      log,
      (client) => client.repo.find<MasterDataLogDoc>(logId),
      (doc) => {
        doc.packages.splice(0, 1);
      },
    );
    // The delta carries the price and R3's changed settings.
    const priced = await call(server, "/api/back-office/products/P00001", {
      method: "PATCH",
      headers: { ...admin, "content-type": "application/json" },
      body: JSON.stringify({ price: 123 }),
    });
    expect(priced.status).toBe(200);
    const run = await call(server, "/api/back-office/distribute", {
      method: "POST",
      headers: admin,
    });
    await expect(run.json()).resolves.toMatchObject({ seq: 2, kind: "delta", rows: 2 });
    await waitFor(() => log.doc().packages.length === 2, 10_000, "honest delta package");
    expect(holds(log, evilLog)).toBe(false);

    // R1's posting record (the server writes it once R1's sale is ingested).
    const r1Key = { storeId, registerId: "R1", businessDay: today };
    appendToSalesLog(
      await openSalesLog(honestR1.repo, r1Key),
      completedSaleEvents("R1", 1, "r1-sale-1", Date.now()),
    );
    // Its honest reader is R1 itself: a register opens only its own posting records.
    const posting = await openPostingRecord(honestR1.repo, r1Key);
    await waitFor(() => posting.doc().acceptedThroughSeq === 5, 10_000, "R1 posted");
    const evilPosting = await attack(
      r1.token,
      posting,
      (client) => openPostingRecord(client.repo, r1Key),
      (doc) => {
        doc.acceptedThroughSeq = 999;
        doc.acceptedCount = 999;
      },
    );

    // R2's sales log.
    const r2Key = { storeId, registerId: "R2", businessDay: today };
    const r2Log = await openSalesLog(honest.repo, r2Key);
    const evilSale = await attack(
      r1.token,
      r2Log,
      (client) => openSalesLog(client.repo, r2Key),
      (doc) => {
        doc.events.push(
          ...completedSaleEvents("R2", 1, "forged", Date.now()).map(
            (event) => new ImmutableString(JSON.stringify(event)),
          ),
        );
      },
    );

    // The honest writers' next changes still arrive; the forged ones never did.
    appendToSalesLog(r2Log, completedSaleEvents("R2", 1, "r2-sale-1", Date.now()));
    appendToSalesLog(
      await openSalesLog(honestR1.repo, r1Key),
      completedSaleEvents("R1", 6, "r1-sale-2", Date.now()),
    );
    await waitFor(() => posting.doc().acceptedThroughSeq === 10, 10_000, "R1 posted again");
    expect(holds(posting, evilPosting)).toBe(false);
    expect(posting.doc().acceptedCount).toBe(10);

    type Journal = { sales: { saleId: string; registerId: string }[] };
    let journal: Journal = { sales: [] };
    await waitFor(
      async () => {
        journal = (await (
          await call(server, "/api/journal", { headers: admin })
        ).json()) as Journal;
        return journal.sales.length === 3;
      },
      10_000,
      "three honest sales in the journal",
    );
    expect(journal.sales.map((sale) => sale.saleId).sort()).toEqual([
      "r1-sale-1",
      "r1-sale-2",
      "r2-sale-1",
    ]);
    expect(holds(r2Log, evilSale)).toBe(false);
    const everyViolation = server.output().match(/"registerId":"R\d"[^\n]*write policy violation/g);
    expect(everyViolation?.length).toBeGreaterThanOrEqual(4);
    expect(everyViolation?.every((line) => line.startsWith('"registerId":"R1"'))).toBe(true);
  });
});

describe("revocation", () => {
  it("disconnects a register's sockets at once and refuses its token afterwards", async () => {
    const r3 = await activate(server, "R3");
    const client = connect(r3.token, "register/R3/till", 60_000);
    let disconnected = false;
    client.adapter.on("peer-disconnected", () => {
      disconnected = true;
    });
    await client.connected();
    const refusalsBefore = server.output().match(/sync connection refused/g)?.length ?? 0;
    const revoked = await call(server, "/api/back-office/devices/R3/revoke", {
      method: "POST",
      headers: await adminHeaders(server),
    });
    await expect(revoked.json()).resolves.toEqual({ registerId: "R3", revoked: true });
    await waitFor(() => disconnected, 5_000, "socket closed on revocation");
    expect(server.output()).toMatch(/"registerId":"R3","reason":"revoked","closed":1/);

    const status = await new Promise<number>((resolve) => {
      const socket = new WebSocket(
        `ws://127.0.0.1:${server.port}/sync?token=${encodeURIComponent(r3.token)}`,
      );
      socket.once("unexpected-response", (_request, response) => {
        resolve(response.statusCode ?? 0);
        socket.terminate();
      });
      socket.once("open", () => resolve(200));
      socket.once("error", () => {});
    });
    expect(status).toBe(401);
    await waitFor(
      () => (server.output().match(/sync connection refused/g)?.length ?? 0) === refusalsBefore + 1,
      5_000,
      "refusal logged",
    );
  });
});
