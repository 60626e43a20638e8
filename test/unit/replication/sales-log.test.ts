import { ImmutableString } from "@automerge/automerge";
import { Repo } from "@automerge/automerge-repo";
import { afterEach, describe, expect, it } from "vitest";
import type { PosEvent } from "../../../domain/events.ts";
import { namedDocumentId, namedGenesis } from "../../../replication/documents/document-ids.ts";
import {
  appendToSalesLog,
  openSalesLog,
  readSalesLog,
  SalesLogAppendError,
  type SalesLogDoc,
  type SalesLogKey,
  salesLogDocumentId,
  salesLogName,
} from "../../../replication/documents/sales-log.ts";
import { waitForHeads } from "../../../replication/documents/wait-for-heads.ts";
import { sampleSaleEvents } from "./sample-events.ts";
import { startWsPeers, type WsPeers } from "./ws-peers.ts";

const key: SalesLogKey = { storeId: "s1", registerId: "r1", businessDay: "2024-05-01" };

let peers: WsPeers | undefined;
afterEach(async () => {
  await peers?.close();
  peers = undefined;
});

function sale(first: number, n: number): PosEvent[] {
  return sampleSaleEvents("r1", first, `sale-${n}`);
}

function fakeDoc(events: unknown[], header: Partial<Record<keyof SalesLogKey, string>> = {}) {
  const h = { ...key, ...header };
  return {
    kind: new ImmutableString("sales-log"),
    storeId: new ImmutableString(h.storeId),
    registerId: new ImmutableString(h.registerId),
    businessDay: new ImmutableString(h.businessDay),
    events: events.map((e) => new ImmutableString(typeof e === "string" ? e : JSON.stringify(e))),
  } satisfies SalesLogDoc;
}

describe("document ids", () => {
  it("derives the same id and the same genesis bytes for the same name", async () => {
    expect(await salesLogDocumentId(key)).toBe(await salesLogDocumentId({ ...key }));
    expect(await salesLogDocumentId(key)).not.toBe(
      await salesLogDocumentId({ ...key, businessDay: "2024-05-02" }),
    );
    const a = await namedGenesis(salesLogName(key), { x: 1 });
    const b = await namedGenesis(salesLogName(key), { x: 1 });
    expect(a).toEqual(b);
    expect(await namedDocumentId(salesLogName(key))).toBe(await salesLogDocumentId(key));
  });
});

describe("sales log", () => {
  it("appends one change per command and reads the events back", async () => {
    const repo = new Repo({});
    const log = await openSalesLog(repo, key);
    const before = log.heads();
    appendToSalesLog(log, sale(1, 1));
    const after = log.heads();
    expect(after).not.toEqual(before);
    expect(log.history()?.length).toBe(2);
    appendToSalesLog(log, sale(10, 2));
    const content = readSalesLog(log.doc(), log.documentId, key);
    expect(content.quarantined).toEqual([]);
    expect(content.events.map((e) => e.seq)).toEqual(Array.from({ length: 18 }, (_, i) => i + 1));
    expect(content.events).toEqual([...sale(1, 1), ...sale(10, 2)]);
    await repo.shutdown();
  });

  it("refuses to append another register's events or a seq out of order", async () => {
    const repo = new Repo({});
    const log = await openSalesLog(repo, key);
    appendToSalesLog(log, sale(1, 1));
    expect(() => appendToSalesLog(log, sampleSaleEvents("r2", 10, "x"))).toThrow(
      SalesLogAppendError,
    );
    expect(() => appendToSalesLog(log, sale(11, 2))).toThrow(/expects 10/);
    expect(readSalesLog(log.doc(), log.documentId, key).events).toHaveLength(9);
    await repo.shutdown();
  });

  it("quarantines bad shape, oversized strings, foreign registers, duplicates and gaps", () => {
    const good = sale(1, 1);
    const [e1, e2, e3, e4, e5, e6] = good;
    const doc = fakeDoc([
      e1,
      { ...e2, seq: "2" },
      e2,
      { ...e3, registerId: "r9" },
      e3,
      e3,
      { ...e4, name: "x".repeat(10_000) },
      "{not json",
      e4,
      e6,
      e5,
    ]);
    const content = readSalesLog(doc, "doc-1", key);
    expect(content.events.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    expect(content.quarantined.map((q) => [q.reason, q.path[1]])).toEqual([
      ["invalid-event", 1],
      ["foreign-register", 3],
      ["duplicate-seq", 5],
      ["invalid-event", 6],
      ["not-json", 7],
      ["seq-gap", 9],
      ["seq-gap", 10],
    ]);
    expect(content.quarantined.every((q) => q.documentId === "doc-1")).toBe(true);
  });

  it("quarantines a whole log that names another register or day", () => {
    const content = readSalesLog(fakeDoc(sale(1, 1), { registerId: "r2" }), "d", key);
    expect(content.events).toEqual([]);
    expect(content.quarantined[0]?.reason).toBe("foreign-document");
    const bad = readSalesLog(fakeDoc([], { businessDay: "yesterday" }), "d", key);
    expect(bad.quarantined[0]?.reason).toBe("invalid-document");
  });

  it("keeps one history when two repos create the same log independently", async () => {
    peers = await startWsPeers();
    peers.link.cut();
    const onRegister = await openSalesLog(peers.client, key);
    const onServer = await openSalesLog(peers.server, key);
    expect(onRegister.documentId).toBe(onServer.documentId);
    appendToSalesLog(onRegister, sale(1, 1));
    appendToSalesLog(onRegister, sale(10, 2));
    peers.link.heal();
    await peers.connected();
    await waitForHeads([onRegister, onServer], { timeoutMs: 5_000 });
    const read = readSalesLog(onServer.doc(), onServer.documentId, key);
    expect(read.quarantined).toEqual([]);
    expect(read.events).toHaveLength(18);
    expect(onServer.history()?.length).toBe(3);
  });
});
