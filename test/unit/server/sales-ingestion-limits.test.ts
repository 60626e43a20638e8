import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { getHeads } from "@automerge/automerge";
import { Repo } from "@automerge/automerge-repo";
import pino from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { addBusinessDays, businessDayOf } from "../../../domain/business-day.ts";
import type { PosEvent } from "../../../domain/events.ts";
import { openPostingRecord } from "../../../replication/documents/posting-record.ts";
import {
  openReplicaStatus,
  updateReplicaStatus,
} from "../../../replication/documents/replica-status.ts";
import {
  appendToSalesLog,
  openSalesLog,
  type SalesLogKey,
} from "../../../replication/documents/sales-log.ts";
import { AtomicNodeFSStorageAdapter } from "../../../replication/storage/atomic-nodefs-storage-adapter.ts";
import { shutdownRepo } from "../../../replication/storage/shutdown-repo.ts";
import { dropFromMemory } from "../../../src/server/drop-from-memory.ts";
import { SalesIngestion, type SalesIngestionOptions } from "../../../src/server/sales-ingestion.ts";
import { completedSaleEvents } from "../../integration/server-test-client.ts";

const NOW = Date.parse("2026-03-10T12:00:00Z");
const today = businessDayOf(NOW);
let dataDir: string;
let logs: string;
const open: Array<{ repo: Repo; ingestion: SalesIngestion }> = [];

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "pos-ingestion-limits-"));
  logs = "";
});
afterEach(async () => {
  for (const { repo, ingestion } of open.splice(0)) {
    ingestion.stop();
    await ingestion.idle();
    await shutdownRepo(repo);
  }
  await rm(dataDir, { recursive: true, force: true });
});

function start(limits: Pick<SalesIngestionOptions, "maxEventsPerSale" | "maxStringLength"> = {}): {
  repo: Repo;
  ingestion: SalesIngestion;
} {
  const repo = new Repo({ network: [], storage: new AtomicNodeFSStorageAdapter(dataDir) });
  const logger = pino(
    { level: "info" },
    new Writable({
      write(chunk, _encoding, done) {
        logs += chunk.toString();
        done();
      },
    }),
  );
  const ingestion = new SalesIngestion({ repo, storeId: "S1", now: () => NOW, logger, ...limits });
  open.push({ repo, ingestion });
  return { repo, ingestion };
}

async function settle(ingestion: SalesIngestion): Promise<void> {
  for (let i = 0; i < 5; i++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    await ingestion.idle();
  }
}

const keyOf = (businessDay: string, registerId = "R1"): SalesLogKey => ({
  storeId: "S1",
  registerId,
  businessDay,
});

/** A sale with `lines` extra lines, so `5 + lines` events, starting at `firstSeq`. */
function longSale(firstSeq: number, saleId: string, lines: number): PosEvent[] {
  const [started, line, ...rest] = completedSaleEvents("R1", firstSeq, saleId, NOW);
  const extra: PosEvent[] = [];
  for (let i = 0; i < lines; i++) {
    extra.push({ ...line!, id: `${saleId}-x${i}`, lineId: `${saleId}-x${i}` } as PosEvent);
  }
  return [started!, line!, ...extra, ...rest].map((event, index) => ({
    ...event,
    seq: firstSeq + index,
  }));
}

describe("sales ingestion limits", () => {
  it("refuses a sale with more events than POS_MAX_EVENTS_PER_SALE, logs it and posts the register's later sales", async () => {
    const { repo, ingestion } = start({ maxEventsPerSale: 10 });
    await ingestion.scanAll(["R1"]);
    const log = await openSalesLog(repo, keyOf(today));
    const first = completedSaleEvents("R1", 1, "ok-1", NOW);
    const long = longSale(6, "too-long", 10);
    const after = completedSaleEvents("R1", 6 + long.length, "ok-2", NOW);
    appendToSalesLog(log, [...first, ...long, ...after]);
    await settle(ingestion);

    const journal = ingestion.projection.journal().map((entry) => entry.saleId);
    expect(journal).toEqual(["ok-1", "ok-2"]);
    expect(ingestion.refusals()).toEqual([
      expect.objectContaining({ saleId: "too-long", reason: "too-many-events", seq: 16 }),
    ]);
    expect(logs).toMatch(/sale refused/);
    expect(logs).toContain("POS_MAX_EVENTS_PER_SALE");
    const posting = await openPostingRecord(repo, keyOf(today));
    expect(posting.doc()).toMatchObject({ acceptedThroughSeq: 5 + long.length + 5 });
  });

  it("refuses a sale holding a text longer than POS_MAX_STRING_LENGTH", async () => {
    const { repo, ingestion } = start({ maxStringLength: 40 });
    await ingestion.scanAll(["R1"]);
    const log = await openSalesLog(repo, keyOf(today));
    const named = completedSaleEvents("R1", 1, "named", NOW).map((event) =>
      event.type === "LineAdded" ? { ...event, name: "n".repeat(41) } : event,
    );
    appendToSalesLog(log, [...named, ...completedSaleEvents("R1", 6, "plain", NOW)]);
    await settle(ingestion);

    expect(ingestion.projection.journal().map((entry) => entry.saleId)).toEqual(["plain"]);
    expect(ingestion.refusals()).toEqual([
      expect.objectContaining({ saleId: "named", reason: "text-too-long", seq: 2 }),
    ]);
    expect(logs).toContain("POS_MAX_STRING_LENGTH");
  });

  it("enforces the event schema's own text bounds at ingestion: such an event is quarantined, logged and never posted", async () => {
    const { repo, ingestion } = start({ maxStringLength: 100_000 });
    await ingestion.scanAll(["R1"]);
    const log = await openSalesLog(repo, keyOf(today));
    const events = completedSaleEvents("R1", 1, "huge-name", NOW).map((event) =>
      event.type === "LineAdded" ? { ...event, name: "x".repeat(201) } : event,
    );
    appendToSalesLog(log, events);
    await settle(ingestion);

    expect(ingestion.projection.journal()).toEqual([]);
    expect(logs).toMatch(/sales log item quarantined/);
    expect(logs).toContain(log.documentId);
    const posting = await openPostingRecord(repo, keyOf(today));
    expect(posting.doc()).toMatchObject({ acceptedThroughSeq: 1 });
  });
});

describe("closing business days", () => {
  it("drops a fully posted day older than yesterday from memory, keeps its sales in the projection and on disk, and reopens it when the register holds more", async () => {
    const { repo, ingestion } = start();
    await ingestion.scanAll(["R1"]);
    const old = addBusinessDays(today, -3);
    const yesterday = addBusinessDays(today, -1);
    const oldLog = await openSalesLog(repo, keyOf(old));
    appendToSalesLog(oldLog, completedSaleEvents("R1", 1, "old", NOW - 3 * 86_400_000));
    const oldLogId = oldLog.documentId;
    const yesterdayLog = await openSalesLog(repo, keyOf(yesterday));
    const todayLog = await openSalesLog(repo, keyOf(today));
    const status = await openReplicaStatus(repo, "S1", "R1");
    updateReplicaStatus(status, { at: NOW, heads: { [oldLogId]: getHeads(oldLog.doc()) } });
    await settle(ingestion);

    expect(ingestion.closedDays("R1")).toEqual([old]);
    expect(repo.handles[oldLogId]).toBeUndefined();
    expect(repo.handles[yesterdayLog.documentId]).toBeDefined();
    expect(repo.handles[todayLog.documentId]).toBeDefined();
    expect(ingestion.projection.journal().map((entry) => entry.saleId)).toEqual(["old"]);
    expect(logs).toMatch(/business day closed/);

    // Nothing about the closed day is lost on disk, also after the repo's throttled saves ran.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const reopened = await openSalesLog(repo, keyOf(old));
    expect(reopened.doc().events.length).toBe(5);
    const oldPosting = await openPostingRecord(repo, keyOf(old));
    expect(oldPosting.doc()).toMatchObject({ acceptedThroughSeq: 5, acceptedCount: 5 });

    // The register shows more of the old day than was closed: it is opened again and posted.
    await dropFromMemory(repo, oldPosting.documentId);
    appendToSalesLog(reopened, completedSaleEvents("R1", 6, "late", NOW - 3 * 86_400_000));
    appendToSalesLog(todayLog, completedSaleEvents("R1", 11, "today", NOW));
    await settle(ingestion);
    expect(ingestion.projection.journal().map((entry) => entry.saleId)).toEqual(["old"]);
    updateReplicaStatus(status, { at: NOW + 1, heads: { [oldLogId]: getHeads(reopened.doc()) } });
    await settle(ingestion);
    expect(ingestion.projection.journal().map((entry) => entry.saleId)).toEqual([
      "old",
      "late",
      "today",
    ]);
    expect(ingestion.closedDays("R1")).toEqual([old]);
  });

  it("dropFromMemory keeps the stored document (a bare removeFromCache would save it empty)", async () => {
    const repo = new Repo({ network: [], storage: new AtomicNodeFSStorageAdapter(dataDir) });
    const log = await openSalesLog(repo, keyOf(today));
    appendToSalesLog(log, completedSaleEvents("R1", 1, "kept", NOW));
    await dropFromMemory(repo, log.documentId);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await shutdownRepo(repo);

    const fresh = new Repo({ network: [], storage: new AtomicNodeFSStorageAdapter(dataDir) });
    const again = await openSalesLog(fresh, keyOf(today));
    expect(again.doc().events.length).toBe(5);
    await shutdownRepo(fresh);
  });
});
