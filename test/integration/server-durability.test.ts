import { rm } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PosEvent } from "../../domain/events.ts";
import {
  openPostingRecord,
  readPostingRecord,
} from "../../replication/documents/posting-record.ts";
import { type NodeRegister, startNodeRegister } from "../../replication/register/node-register.ts";
import { createDemoStore, DEMO_OPERATOR_PINS } from "../../src/server/demo-store.ts";
import { activateRegister, until } from "../support/registers.ts";
import {
  type ServerProcess,
  startServerProcess,
  temporaryDirectory,
} from "../support/server-process.ts";

const ADMIN_TOKEN = "durability-admin-token-0123456789";
const SALES = 1_000;
const serverEnv = {
  POS_ADMIN_TOKEN: ADMIN_TOKEN,
  POS_DEMO_SWITCH_TIMEOUT_MS: "2000",
  POS_DEMO_RECONNECT_INTERVAL_MS: "1000",
  POS_DISTRIBUTION_INTERVAL_MS: "0",
};

type JournalEntry = { readonly receiptNumber: string };

async function journal(server: ServerProcess): Promise<readonly JournalEntry[]> {
  const response = await fetch(`${server.url}/api/journal`, {
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { sales: JournalEntry[] }).sales;
}

/** Receipt numbers of the sales whose completion is at or below `throughSeq`. */
function receiptsThrough(events: readonly PosEvent[], throughSeq: number): string[] {
  const receiptOf = new Map<string, string>();
  const receipts: string[] = [];
  for (const event of events) {
    if (event.type === "SaleStarted") receiptOf.set(event.saleId, event.receiptNumber);
    if (event.type === "SaleCompleted" && event.seq <= throughSeq) {
      const receipt = receiptOf.get(event.saleId);
      if (receipt !== undefined) receipts.push(receipt);
    }
  }
  return receipts;
}

describe("retail server durability", () => {
  let dataDir: string;
  let registerDir: string;
  let server: ServerProcess | undefined;
  let register: NodeRegister | undefined;
  const demo = createDemoStore(1, { pinIterations: 1_000 });

  beforeAll(async () => {
    dataDir = await temporaryDirectory("durability-server");
    registerDir = await temporaryDirectory("durability-register");
  });

  afterAll(async () => {
    register?.link.cut();
    await register?.close();
    await server?.kill("SIGKILL");
    await rm(dataDir, { recursive: true, force: true });
    await rm(registerDir, { recursive: true, force: true });
  });

  it("keeps every acknowledged event of 1,000 offline sales through a SIGKILL during their upload, and the rest arrives once", {
    timeout: 90_000,
  }, async () => {
    server = await startServerProcess({ dataDir, env: serverEnv });
    const { identity } = await activateRegister(server, "R1", ADMIN_TOKEN, registerDir);
    register = await startNodeRegister({ serverUrl: server.url, dataDir: registerDir, identity });
    const session = register.session;
    await until("provisioning", () => session.view().provisioning.ready, 30_000);
    expect((await session.signIn("1001", DEMO_OPERATOR_PINS["1001"])).ok).toBe(true);

    // Operation 917: Disconnect, then 1,000 sales in the offline database.
    expect((await session.operation917()).ok).toBe(true);
    expect(session.mode).toBe("offline-manual");
    const products = (await demo).products;
    for (let sale = 0; sale < SALES; sale++) {
      const product = products[sale % 8]!;
      expect(await session.scan(product.barcodes[0]!)).toEqual({ ok: true });
      expect((await session.pay("cash", 1_000_000)).ok).toBe(true);
      expect((await session.completeSale()).ok).toBe(true);
    }
    expect(session.view().connection.pendingUploadSales).toBe(SALES);
    const events = [...session.events];

    // The register's own copy of the posting record: what the server has acknowledged to it.
    const posting = await openPostingRecord(register.repo, session.salesLogKey);
    const acknowledged = (): number => {
      const { record } = readPostingRecord(posting.doc(), posting.documentId, session.salesLogKey);
      return record?.acceptedThroughSeq ?? 0;
    };
    const before = acknowledged();

    // Connect: the upload starts; the server is killed as soon as the register holds an
    // acknowledgement of any of the uploaded events.
    expect((await session.operation917()).ok).toBe(true);
    await until("an acknowledgement of uploaded events", () => acknowledged() > before, 30_000, 1);
    const acknowledgedBeforeKill = acknowledged();
    await server.kill("SIGKILL");
    register.link.cut();
    const acknowledgedReceipts = receiptsThrough(events, acknowledgedBeforeKill);
    expect(acknowledgedReceipts.length).toBeGreaterThan(0);

    // Restarted, and before the register is back: every acknowledged sale is in the journal.
    server = await startServerProcess({ dataDir, port: server.port, env: serverEnv });
    const afterRestart = new Set((await journal(server)).map((entry) => entry.receiptNumber));
    const missing = acknowledgedReceipts.filter((receipt) => !afterRestart.has(receipt));
    expect(missing).toEqual([]);

    // The register reconnects and drains; nothing is duplicated.
    register.link.heal();
    await until(
      "pending drained",
      () => session.view().connection.pendingUploadSales === 0,
      30_000,
    );
    const sales = await until(
      "journal complete",
      async () => {
        const entries = await journal(server!);
        return entries.length >= SALES && entries;
      },
      30_000,
      100,
    );
    const receipts = sales.map((entry) => entry.receiptNumber);
    expect(receipts.length).toBe(SALES);
    expect(new Set(receipts).size).toBe(SALES);
    expect(new Set(receipts)).toEqual(new Set(receiptsThrough(events, Number.MAX_SAFE_INTEGER)));
    console.info(
      `durability: ${acknowledgedReceipts.length} of ${SALES} sales acknowledged before the kill`,
    );
  });
});
