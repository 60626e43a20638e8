import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { ImmutableString } from "@automerge/automerge";
import { Repo } from "@automerge/automerge-repo";
import pino from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { addBusinessDays, businessDayOf } from "../../../domain/business-day.ts";
import { openPostingRecord } from "../../../replication/documents/posting-record.ts";
import {
  openReplicaStatus,
  updateReplicaStatus,
} from "../../../replication/documents/replica-status.ts";
import {
  appendToSalesLog,
  openSalesLog,
  salesLogDocumentId,
} from "../../../replication/documents/sales-log.ts";
import { AtomicNodeFSStorageAdapter } from "../../../replication/storage/atomic-nodefs-storage-adapter.ts";
import { shutdownRepo } from "../../../replication/storage/shutdown-repo.ts";
import { SalesIngestion } from "../../../src/server/sales-ingestion.ts";
import { completedSaleEvents } from "../../integration/server-test-client.ts";

const NOW = Date.parse("2026-03-10T12:00:00Z");
const today = businessDayOf(NOW);
let dataDir: string;
let logs: string;

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "pos-ingestion-"));
  logs = "";
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

function open(): { repo: Repo; ingestion: SalesIngestion } {
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
  return { repo, ingestion: new SalesIngestion({ repo, storeId: "S1", now: () => NOW, logger }) };
}

async function settle(ingestion: SalesIngestion): Promise<void> {
  for (let i = 0; i < 5; i++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    await ingestion.idle();
  }
}

describe("sales ingestion", () => {
  it("ingests each register's logs in order into one projection, posts them, and rebuilds the same after a restart", async () => {
    const first = open();
    await first.ingestion.scanAll(["R1", "R2"]);
    const earlier = addBusinessDays(today, -5);
    const keyOf = (registerId: string, businessDay: string) => ({
      storeId: "S1",
      registerId,
      businessDay,
    });

    // R1 sold 5 days ago (listed in its replica status) and today; R2 today.
    const old = await openSalesLog(first.repo, keyOf("R1", earlier));
    appendToSalesLog(old, completedSaleEvents("R1", 1, "old", NOW - 5 * 86_400_000));
    const r1Today = await openSalesLog(first.repo, keyOf("R1", today));
    appendToSalesLog(r1Today, completedSaleEvents("R1", 6, "new", NOW));
    const r2Today = await openSalesLog(first.repo, keyOf("R2", today));
    appendToSalesLog(r2Today, completedSaleEvents("R2", 1, "r2", NOW));
    await settle(first.ingestion);
    // Today's R1 sale continues a seq the server has not seen: held back.
    expect(first.ingestion.projection.journal().map((e) => e.saleId)).toEqual(["r2"]);
    expect(logs).toMatch(/sales held back/);

    const status = await openReplicaStatus(first.repo, "S1", "R1");
    updateReplicaStatus(status, {
      at: NOW,
      heads: { [await salesLogDocumentId(keyOf("R1", earlier))]: ["x"] },
    });
    await settle(first.ingestion);
    expect(first.ingestion.followedDays("R1")).toContain(earlier);
    expect(
      first.ingestion.projection
        .journal()
        .map((e) => e.saleId)
        .sort(),
    ).toEqual(["new", "old", "r2"]);

    // A hostile item is logged with the document id and never ingested.
    r1Today.change((doc) => {
      doc.events.push(new ImmutableString("{not json"));
    });
    await settle(first.ingestion);
    expect(logs).toMatch(/sales log item quarantined/);
    expect(logs).toContain(r1Today.documentId);
    expect(first.ingestion.projection.eventCount).toBe(15);

    const posting = await openPostingRecord(first.repo, keyOf("R1", today));
    expect(posting.doc()).toMatchObject({ acceptedThroughSeq: 10, acceptedCount: 5 });
    const oldPosting = await openPostingRecord(first.repo, keyOf("R1", earlier));
    expect(oldPosting.doc()).toMatchObject({ acceptedThroughSeq: 5, acceptedCount: 5 });
    const snapshot = first.ingestion.projection.snapshot();
    first.ingestion.stop();
    await shutdownRepo(first.repo);

    const second = open();
    await second.ingestion.scanAll(["R1", "R2"]);
    await settle(second.ingestion);
    expect(second.ingestion.projection.snapshot()).toEqual(snapshot);
    const again = await openPostingRecord(second.repo, keyOf("R1", today));
    expect(again.doc()).toMatchObject({ acceptedThroughSeq: 10, acceptedCount: 5 });
    second.ingestion.stop();
    await shutdownRepo(second.repo);
  });
});
