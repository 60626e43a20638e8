import { rm } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { businessDayOf } from "../../domain/business-day.ts";
import type { PosEvent } from "../../domain/events.ts";
import { appendToSalesLog, openSalesLog } from "../../replication/documents/sales-log.ts";
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

const env = {
  POS_DISTRIBUTION_INTERVAL_MS: "0",
  POS_MAX_EVENTS_PER_SALE: "5",
  POS_MAX_DOCUMENT_BYTES: String(24 * 1024),
  POS_MAX_HTTP_BODY_BYTES: "1024",
  POS_MAX_MESSAGE_BYTES: String(256 * 1024),
};

beforeAll(async () => {
  dataDir = await temporaryDirectory("server-limits");
  server = await startServerProcess({ dataDir, env });
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
  return body.sales.map((sale) => sale.saleId);
}

/** Sale events from `firstSeq` with one more line than a normal sale: six events. */
function sixEventSale(firstSeq: number, saleId: string, at: number): PosEvent[] {
  const [started, line, ...rest] = completedSaleEvents("R1", firstSeq, saleId, at);
  const extra = { ...line!, id: `${saleId}-extra`, lineId: `${saleId}-extra` } as PosEvent;
  return [started!, line!, extra, ...rest].map((event, index) => ({
    ...event,
    seq: firstSeq + index,
  }));
}

describe("retail server limits from its configuration", () => {
  it("answers 413 with a clear error for an HTTP body over POS_MAX_HTTP_BODY_BYTES", async () => {
    const response = await call(server!, "/api/devices/activate", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ registerId: "R1", code: "x".repeat(2_000) }),
    });
    expect(response.status).toBe(413);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("POS_SERVER_003");
    expect(body.error.message).toContain("1024");
  });

  it("refuses a sale beyond POS_MAX_EVENTS_PER_SALE and logs it, posts the sales around it, and refuses changes that take a sales log past POS_MAX_DOCUMENT_BYTES", async () => {
    const { token, storeId } = await activate(server!, "R1");
    const client = connectSyncClient(server!, token, "register/R1/limits");
    clients.push(client);
    await client.connected();
    const now = Date.now();
    const key = { storeId, registerId: "R1", businessDay: businessDayOf(now) };
    const log = await openSalesLog(client.repo, key);
    appendToSalesLog(log, [
      ...completedSaleEvents("R1", 1, "first", now),
      ...sixEventSale(6, "six-events", now),
      ...completedSaleEvents("R1", 12, "third", now),
    ]);
    await waitFor(
      async () => (await journalSaleIds()).includes("third"),
      15_000,
      "sales around the refused one posted",
    );
    expect(await journalSaleIds()).toEqual(["first", "third"]);
    await waitFor(
      () => /sale refused/.test(server!.output()),
      5_000,
      "refused sale in the server log",
    );
    expect(server!.output()).toContain("POS_MAX_EVENTS_PER_SALE");

    // 100 more sales make the log far larger than 24 KiB: the changes are refused and logged.
    const many: PosEvent[] = [];
    for (let sale = 0; sale < 100; sale++) {
      many.push(...completedSaleEvents("R1", 17 + sale * 5, `bulk-${sale}`, now));
    }
    appendToSalesLog(log, many);
    await waitFor(
      () => /document-too-large/.test(server!.output()),
      15_000,
      "oversized document refused",
    );
    expect(server!.output()).toContain("POS_MAX_DOCUMENT_BYTES");
    const ids = await journalSaleIds();
    expect(ids.filter((id) => id.startsWith("bulk-")).length).toBe(0);
    const health = await call(server!, "/api/health");
    expect(health.status).toBe(200);
  });

  it("closes a sync connection whose frame is over POS_MAX_MESSAGE_BYTES, logs it and stays up", async () => {
    const { token } = await activate(server!, "R2");
    const socket = new WebSocket(
      `ws://127.0.0.1:${server!.port}/sync?token=${encodeURIComponent(token)}`,
    );
    await new Promise((done, fail) => {
      socket.once("open", done);
      socket.once("error", fail);
    });
    const closed = new Promise<number>((done) => socket.once("close", (code) => done(code)));
    socket.send(new Uint8Array(300 * 1024));
    expect(await closed).toBe(1009);
    await waitFor(
      () => /POS_MAX_MESSAGE_BYTES/.test(server!.output()),
      5_000,
      "oversized frame in the server log",
    );
    const health = await call(server!, "/api/health");
    expect(health.status).toBe(200);
    expect(server!.child.exitCode).toBeNull();
  });
});
