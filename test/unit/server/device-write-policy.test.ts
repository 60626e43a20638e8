import * as Automerge from "@automerge/automerge";
import { type DocumentId, Repo } from "@automerge/automerge-repo";
import { afterEach, describe, expect, it } from "vitest";
import { addBusinessDays, businessDayOf } from "../../../domain/business-day.ts";
import { namedDocumentId } from "../../../replication/documents/document-ids.ts";
import { openPostingRecord } from "../../../replication/documents/posting-record.ts";
import { salesLogDocumentId } from "../../../replication/documents/sales-log.ts";
import {
  createDeviceWritePolicy,
  registerPeerIdPrefix,
} from "../../../src/server/sync/device-write-policy.ts";

const NOW = Date.parse("2026-03-10T12:00:00Z");
const today = businessDayOf(NOW);
const r1 = { registerId: "R1", deviceId: "R1@1" };
let repo: Repo | undefined;

afterEach(async () => {
  await repo?.shutdown();
  repo = undefined;
});

function policy(holds?: (documentId: string, hash: string) => boolean) {
  return createDeviceWritePolicy({
    storeId: "S1",
    now: () => NOW,
    maxMessageBytes: 1024,
    onViolation: () => {},
    daysBack: 3,
    daysAhead: 1,
    ...(holds === undefined ? {} : { holds }),
  });
}

const log = (registerId: string, businessDay: string) =>
  salesLogDocumentId({ storeId: "S1", registerId, businessDay });

describe("device write policy", () => {
  it("lets a register write only its own sales logs in the window and its replica status", async () => {
    const p = policy();
    expect(p.mayWrite(r1, await log("R1", today))).toBe(false);
    await p.prepare("R1");
    for (const offset of [-3, -1, 0, 1]) {
      expect(p.mayWrite(r1, await log("R1", addBusinessDays(today, offset)))).toBe(true);
    }
    expect(p.mayWrite(r1, await log("R1", addBusinessDays(today, -4)))).toBe(false);
    expect(p.mayWrite(r1, await log("R1", addBusinessDays(today, 2)))).toBe(false);
    expect(p.mayWrite(r1, await log("R2", today))).toBe(false);
    expect(
      p.mayWrite(r1, await namedDocumentId({ kind: "replica-status", parts: ["S1", "R1"] })),
    ).toBe(true);
    expect(
      p.mayWrite(r1, await namedDocumentId({ kind: "replica-status", parts: ["S1", "R2"] })),
    ).toBe(false);
    expect(
      p.mayWrite(r1, await namedDocumentId({ kind: "store-configuration", parts: ["S1"] })),
    ).toBe(false);
    expect(
      p.mayWrite(r1, await namedDocumentId({ kind: "posting-record", parts: ["S1", "R1", today] })),
    ).toBe(false);
    expect(p.peerIdPrefix(r1)).toBe(registerPeerIdPrefix("R1"));
  });

  it("treats the genesis of the register's own posting record, as openPostingRecord makes it, as harmless", async () => {
    repo = new Repo({ network: [] });
    const key = { storeId: "S1", registerId: "R1", businessDay: today };
    const handle = await openPostingRecord(repo, key);
    const [genesis] = Automerge.getHeads(handle.doc());
    if (genesis === undefined) throw new Error("no genesis");
    const p = policy();
    await p.prepare("R1");
    expect(p.isHarmless(r1, handle.documentId, genesis)).toBe(true);
    expect(p.isHarmless({ registerId: "R2", deviceId: "R2@1" }, handle.documentId, genesis)).toBe(
      false,
    );
    handle.change((doc) => {
      doc.acceptedThroughSeq = 5;
    });
    const [edit] = Automerge.getHeads(handle.doc());
    expect(p.isHarmless(r1, handle.documentId, edit ?? "")).toBe(false);
  });

  it("treats a change the server already holds as harmless", async () => {
    const p = policy((documentId, hash) => documentId === "doc" && hash === "held");
    await p.prepare("R1");
    expect(p.isHarmless(r1, "doc" as DocumentId, "held")).toBe(true);
    expect(p.isHarmless(r1, "doc" as DocumentId, "new")).toBe(false);
  });
});
