import { ImmutableString } from "@automerge/automerge";
import { Repo } from "@automerge/automerge-repo";
import { describe, expect, it } from "vitest";
import {
  openPostingRecord,
  PostingRecordError,
  pendingUpload,
  readPostingRecord,
  recordPosted,
} from "../../../replication/documents/posting-record.ts";
import {
  MAX_MODE_CHANGES,
  openReplicaStatus,
  readReplicaStatus,
  updateReplicaStatus,
} from "../../../replication/documents/replica-status.ts";
import type { SalesLogKey } from "../../../replication/documents/sales-log.ts";
import {
  openStoreConfiguration,
  readStoreConfiguration,
  type StoreConfiguration,
  StoreConfigurationError,
  setOfflineSupport,
  writeStoreConfiguration,
} from "../../../replication/documents/store-configuration.ts";
import { sampleSaleEvents } from "./sample-events.ts";

const key: SalesLogKey = { storeId: "s1", registerId: "r1", businessDay: "2024-05-01" };

describe("posting record", () => {
  it("derives pending uploads from what the server accepted, and only moves forward", async () => {
    const repo = new Repo({});
    const record = await openPostingRecord(repo, key);
    const events = [...sampleSaleEvents("r1", 1, "a"), ...sampleSaleEvents("r1", 10, "b")];
    const initial = readPostingRecord(record.doc(), record.documentId, key);
    expect(initial.record?.acceptedThroughSeq).toBeNull();
    expect(pendingUpload(events, initial.record)).toHaveLength(18);

    recordPosted(record, { throughSeq: 9, count: 9, at: 1_000 });
    const after = readPostingRecord(record.doc(), record.documentId, key);
    expect(after.record).toEqual({
      ...key,
      acceptedThroughSeq: 9,
      acceptedCount: 9,
      acceptedAt: 1_000,
    });
    expect(pendingUpload(events, after.record).map((e) => e.seq)).toEqual([
      10, 11, 12, 13, 14, 15, 16, 17, 18,
    ]);
    expect(() => recordPosted(record, { throughSeq: 5, count: 5, at: 2_000 })).toThrow(
      PostingRecordError,
    );
    expect(
      readPostingRecord(record.doc(), record.documentId, { ...key, registerId: "r2" }).record,
    ).toBeNull();
    await repo.shutdown();
  });

  it("quarantines a record with wrong types", () => {
    const doc = {
      kind: new ImmutableString("posting-record"),
      storeId: new ImmutableString("s1"),
      registerId: new ImmutableString("r1"),
      businessDay: new ImmutableString("2024-05-01"),
      acceptedThroughSeq: -3,
      acceptedCount: 0,
      acceptedAt: null,
    };
    const read = readPostingRecord(doc, "d", key);
    expect(read.record).toBeNull();
    expect(read.quarantined[0]?.reason).toBe("invalid-document");
  });
});

describe("replica status", () => {
  it("records mode changes (bounded), applied package seq and heads", async () => {
    const repo = new Repo({});
    const status = await openReplicaStatus(repo, "s1", "r1");
    for (let i = 0; i < MAX_MODE_CHANGES + 5; i++) {
      updateReplicaStatus(status, {
        at: i,
        modeChange:
          i % 2 === 0
            ? { from: "online", to: "offline", reason: "timeout" }
            : { from: "offline", to: "online", reason: "reconnect" },
      });
    }
    updateReplicaStatus(status, { at: 100, appliedPackageSeq: 7, heads: { doc1: ["h1", "h2"] } });
    const read = readReplicaStatus(status.doc(), status.documentId);
    expect(read.quarantined).toEqual([]);
    expect(read.status?.mode).toBe("offline");
    expect(read.status?.modeChanges).toHaveLength(MAX_MODE_CHANGES);
    expect(read.status?.modeChanges[0]?.at).toBe(5);
    expect(read.status?.appliedPackageSeq).toBe(7);
    expect(read.status?.heads).toEqual({ doc1: ["h1", "h2"] });
    expect(read.status?.lastSeenAt).toBe(100);
    await repo.shutdown();
  });
});

function configuration(): StoreConfiguration {
  return {
    store: { id: "s1", name: "High Street", currency: "EUR", pricesIncludeTax: true },
    registers: [
      { id: "r1", storeId: "s1", name: "Till 1", offlineSupport: false },
      { id: "r2", storeId: "s1", name: "Till 2", offlineSupport: false, offlineProfileId: "p1" },
    ],
    operators: [
      {
        id: "op-1",
        name: "Ann",
        role: "cashier",
        permissions: ["sell"],
        maxDiscountBp: 1000,
        pinHash: {
          algorithm: "PBKDF2-SHA256",
          iterations: 100_000,
          salt: "c2FsdA==",
          hash: "aGFzaA==",
        },
      },
    ],
    tenderTypes: [{ id: "cash", name: "Cash", kind: "cash" }],
    taxGroups: [{ id: "standard", name: "Standard", rateBp: 2000 }],
    offlineProfiles: [
      { id: "p1", name: "Default", switchTimeoutMs: 3000, reconnectIntervalMs: 60_000 },
    ],
    defaultOfflineProfileId: "p1",
    channelDataGroup: { id: "g1", name: "High Street group", offlineReplicas: [] },
    masterDataManifest: { g1: { logDocumentId: "abc", sinceSeq: 1 } },
  };
}

describe("store configuration", () => {
  it("adds an offline replica entry when offline support is turned on, and round-trips", async () => {
    const repo = new Repo({});
    const handle = await openStoreConfiguration(repo, "s1");
    expect(readStoreConfiguration(handle.doc(), handle.documentId, "s1").configuration).toBeNull();
    const withSupport = setOfflineSupport(configuration(), "r2", true, 42);
    expect(withSupport.channelDataGroup.offlineReplicas).toEqual([
      { registerId: "r2", createdAt: 42 },
    ]);
    writeStoreConfiguration(handle, withSupport);
    const read = readStoreConfiguration(handle.doc(), handle.documentId, "s1");
    expect(read.quarantined).toEqual([]);
    expect(read.configuration).toEqual(withSupport);
    const off = setOfflineSupport(withSupport, "r2", false, 50);
    expect(off.channelDataGroup.offlineReplicas).toEqual([]);
    await repo.shutdown();
  });

  it("refuses an invalid configuration and a replica entry without offline support", async () => {
    const repo = new Repo({});
    const handle = await openStoreConfiguration(repo, "s1");
    const bad = { ...configuration(), store: { ...configuration().store, currency: "euro" } };
    expect(() => writeStoreConfiguration(handle, bad)).toThrow(StoreConfigurationError);
    const orphan = configuration();
    const mismatched = {
      ...orphan,
      channelDataGroup: {
        ...orphan.channelDataGroup,
        offlineReplicas: [{ registerId: "r1", createdAt: 1 }],
      },
    };
    expect(() => writeStoreConfiguration(handle, mismatched)).toThrow(/without offline support/);
    expect(readStoreConfiguration(handle.doc(), handle.documentId, "s1").configuration).toBeNull();
    await repo.shutdown();
  });
});
