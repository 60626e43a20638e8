import { ImmutableString } from "@automerge/automerge";
import { Repo } from "@automerge/automerge-repo";
import { describe, expect, it } from "vitest";
import { parsePosEvent } from "../../../replication/documents/pos-event-schema.ts";
import {
  appendToSalesLog,
  openSalesLog,
  type PosEventParser,
  readSalesLog,
  type SalesLogKey,
  SalesLogReader,
} from "../../../replication/documents/sales-log.ts";
import { sampleSaleEvents } from "./sample-events.ts";

const key: SalesLogKey = { storeId: "s1", registerId: "r1", businessDay: "2024-05-01" };

function countingParser(): { parse: PosEventParser; calls: () => number } {
  let calls = 0;
  return {
    parse: (value) => {
      calls++;
      return parsePosEvent(value);
    },
    calls: () => calls,
  };
}

async function logWithSales(sales: number) {
  const repo = new Repo({});
  const log = await openSalesLog(repo, key);
  let seq = 1;
  for (let n = 0; n < sales; n++) {
    const events = sampleSaleEvents("r1", seq, `sale-${n}`);
    appendToSalesLog(log, events);
    seq += events.length;
  }
  return { repo, log, nextSeq: () => seq, setSeq: (next: number) => (seq = next) };
}

describe("SalesLogReader", () => {
  it("validates only the events appended since the last read", async () => {
    const { log, nextSeq, setSeq } = await logWithSales(3);
    const counter = countingParser();
    const reader = new SalesLogReader(log.documentId, key, { parseEvent: counter.parse });
    const first = reader.read(log.doc());
    const initial = first.events.length;
    expect(initial).toBeGreaterThan(0);
    expect(counter.calls()).toBe(initial);

    const more = sampleSaleEvents("r1", nextSeq(), "sale-late");
    appendToSalesLog(log, more);
    setSeq(nextSeq() + more.length);
    const second = reader.read(log.doc());
    expect(second.events.length).toBe(initial + more.length);
    expect(counter.calls()).toBe(initial + more.length);
    expect(reader.fullReads).toBe(1);

    expect(reader.read(log.doc()).events.length).toBe(initial + more.length);
    expect(counter.calls()).toBe(initial + more.length);
    expect(second).toEqual(readSalesLog(log.doc(), log.documentId, key));
  });

  it("reads the whole log again when an earlier entry was rewritten, and quarantines it", async () => {
    const { log } = await logWithSales(3);
    const counter = countingParser();
    const reader = new SalesLogReader(log.documentId, key, { parseEvent: counter.parse });
    const total = reader.read(log.doc()).events.length;

    log.change((d) => {
      d.events[1] = new ImmutableString("{not json");
    });
    const after = reader.read(log.doc());
    expect(reader.fullReads).toBe(2);
    expect(after.quarantined[0]).toMatchObject({ reason: "not-json", path: ["events", 1] });
    expect(after.quarantined.slice(1).every((q) => q.reason === "seq-gap")).toBe(true);
    expect(after.events.map((e) => e.seq)).toEqual([1]);
    expect(after).toEqual(readSalesLog(log.doc(), log.documentId, key));
    expect(counter.calls()).toBe(total + total - 1);
  });

  it("notices an earlier entry replaced by another valid event with a different seq", async () => {
    const { log } = await logWithSales(2);
    const reader = new SalesLogReader(log.documentId, key);
    const before = reader.read(log.doc());
    const count = before.events.length;
    const moved = { ...before.events[0], seq: 99 };
    log.change((d) => {
      d.events[0] = new ImmutableString(JSON.stringify(moved));
    });
    const after = reader.read(log.doc());
    expect(reader.fullReads).toBe(2);
    expect(after.events.length).toBeLessThan(count);
    expect(after).toEqual(readSalesLog(log.doc(), log.documentId, key));
  });

  it("holds back events after a gap on incremental reads too", async () => {
    const { log, nextSeq } = await logWithSales(1);
    const reader = new SalesLogReader(log.documentId, key);
    const valid = reader.read(log.doc()).events.length;
    const skipped = sampleSaleEvents("r1", nextSeq() + 1, "sale-after-gap");
    log.change((d) => {
      for (const event of skipped) d.events.push(new ImmutableString(JSON.stringify(event)));
    });
    const after = reader.read(log.doc());
    expect(after.events.length).toBe(valid);
    expect(after.quarantined.every((q) => q.reason === "seq-gap")).toBe(true);
    expect(after.quarantined.length).toBe(skipped.length);
    expect(reader.fullReads).toBe(1);
    expect(after).toEqual(readSalesLog(log.doc(), log.documentId, key));
  });

  it("reads again from the start when the header changes", async () => {
    const { log } = await logWithSales(1);
    const reader = new SalesLogReader(log.documentId, key);
    expect(reader.read(log.doc()).events.length).toBeGreaterThan(0);
    log.change((d) => {
      d.registerId = new ImmutableString("r2");
    });
    const after = reader.read(log.doc());
    expect(after.events).toEqual([]);
    expect(after.quarantined[0]?.reason).toBe("foreign-document");
  });
});
